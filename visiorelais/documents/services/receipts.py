"""The call's receipt, printed at the kiosk after the call."""

import datetime as dt
import hashlib
import io

import pikepdf
from django.db import transaction

from visiorelais.calls.events import group_for_kiosk
from visiorelais.calls.models import Call
from visiorelais.documents.errors import DocumentError, IllegalTransition
from visiorelais.documents.events import publish_on_commit
from visiorelais.documents.models import Document, PrintJob
from visiorelais.documents.receipt import receipt_pdf
from visiorelais.documents.selectors import call_documents, document_entry
from visiorelais.documents.services.common import call_of_actor, now_or
from visiorelais.documents.services.documents import document_write, new_encrypted_file, print_job_queue
from visiorelais.network.models import Kiosk

# How long after the end of the call its receipt may still be printed: the resident is still at the kiosk.
RECEIPT_PRINT_WINDOW = dt.timedelta(minutes=10)
RECEIPT_NAME = "Récépissé de l'appel.pdf"


def receipt_print(*, kiosk: Kiosk, call_id: int, now: dt.datetime | None = None) -> Document:
    """The resident asks, at the kiosk, for the receipt of the call that has just ended.

    Allowed for the call's kiosk only (CallNotFound otherwise), once a connected call has ended
    (`call_not_ended`, `no_receipt`), for RECEIPT_PRINT_WINDOW after its end (`receipt_expired`), on a kiosk
    with a printer (`no_printer`), and once at a time (`receipt_printing` while an earlier receipt of the
    call is queued or printing). Makes the receipt (receipt.py: the call's documents, earlier receipts left
    out), stores it as a print Document marked `is_receipt` with a queued PrintJob, and after commit sends
    `bridge.print` to the kiosk's bridge and `document.added` to the kiosk only (the agent has moved on). The
    bridge fetches it and reports its job like any print, although the call has ended.
    """
    call = call_of_actor(call_id=call_id, kiosk=kiosk, agent=None)
    at = now_or(now)
    if call.status != Call.Status.ENDED or call.ended_at is None:
        raise DocumentError("Le récépissé s'imprime une fois l'appel terminé.", code="call_not_ended")
    if call.connected_at is None:
        raise DocumentError("Cet appel n'a pas eu lieu : il n'a pas de récépissé.", code="no_receipt")
    if at - call.ended_at > RECEIPT_PRINT_WINDOW:
        raise DocumentError(
            "Le récépissé ne s'imprime que dans les 10 minutes qui suivent l'appel.", code="receipt_expired"
        )
    if not call.kiosk.has_printer:
        raise DocumentError("Cette borne n'a pas d'imprimante.", code="no_printer")
    documents = list(call_documents(call_id=call.pk))
    data = receipt_pdf(call=call, documents=documents)
    with new_encrypted_file() as storage_name, transaction.atomic():
        call = Call.objects.select_for_update().select_related("kiosk").get(pk=call.pk)
        printing = PrintJob.objects.filter(
            document__call=call,
            document__is_receipt=True,
            state__in=(PrintJob.State.QUEUED, PrintJob.State.PRINTING),
        )
        if printing.exists():
            raise IllegalTransition("Le récépissé est déjà en cours d'impression.", code="receipt_printing")
        document = document_write(
            data=data,
            storage_name=storage_name,
            call=call,
            direction=Document.Direction.PRINT,
            is_receipt=True,
            name=RECEIPT_NAME,
            content_type=Document.ContentType.PDF,
            pages=_pages(data),
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            created_at=at,
        )
        print_job_queue(document=document, kiosk_id=call.kiosk_id, at=at)
        publish_on_commit(group_for_kiosk(call.kiosk_id), "document.added", {"document": document_entry(document)})
    return document


def _pages(data: bytes) -> int:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)

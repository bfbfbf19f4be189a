"""Storing documents, recording their fetches, and the purge."""

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import BinaryIO

from django.db import transaction

from visiorelais.accounts.models import User
from visiorelais.calls.models import Call
from visiorelais.documents import crypto, storage
from visiorelais.documents.errors import (
    CallNotConnected,
    DocumentError,
    DocumentNotAllowed,
    DocumentRefused,
)
from visiorelais.documents.events import group_for_bridge, publish_on_commit, publish_to_call
from visiorelais.documents.models import (
    DEFAULT_RETENTION_HOURS,
    Document,
    DocumentAccess,
    PartnerDocumentPolicy,
    PrintJob,
    ScanRequest,
)
from visiorelais.documents.sanitise import clean_name, sanitise
from visiorelais.documents.selectors import document_entry, scan_state_entry
from visiorelais.documents.services.common import Direction, call_of_actor, locked_connected_call, now_or
from visiorelais.documents.services.print_jobs import PRINT_MESSAGES
from visiorelais.network.models import Kiosk, Partner

# A file in DOCUMENTS_DIR without a live document (a store rolled back after writing it) is removed by the
# purge once it is this old, so that a store still in flight is never touched.
ORPHAN_GRACE = dt.timedelta(hours=1)


@contextlib.contextmanager
def new_encrypted_file() -> Iterator[str]:
    """A storage name for a new document's encrypted file, for a block that writes it inside its transaction:
    if the block fails, the file goes too (a rolled-back row must not leave its file behind)."""
    storage_name = storage.new_storage_name()
    try:
        yield storage_name
    except BaseException:
        storage.blob_delete(storage_name)
        raise


def document_write(*, data: bytes, storage_name: str, **fields) -> Document:
    """Creates the Document row (in the caller's transaction) and writes `data` encrypted under its id."""
    document = Document.objects.create(key_id="", storage_name=storage_name, **fields)
    document.key_id, blob = crypto.encrypt(data, document_id=document.pk)
    document.save(update_fields=["key_id"])
    storage.blob_write(storage_name, blob)
    return document


def print_job_queue(*, document: Document, kiosk_id: int, at: dt.datetime) -> PrintJob:
    """A queued PrintJob for `document`, sent to the kiosk's bridge after commit (`bridge.print`)."""
    job = PrintJob.objects.create(
        document=document, state=PrintJob.State.QUEUED, message=PRINT_MESSAGES["queued"], updated_at=at
    )
    publish_on_commit(
        group_for_bridge(kiosk_id),
        "bridge.print",
        {"call_id": document.call_id, "document_id": document.pk, "job_id": job.pk},
    )
    return job


def document_store(
    *,
    call_id: int,
    direction: str,
    stream: BinaryIO,
    name: str,
    kiosk: Kiosk | None = None,
    agent: User | None = None,
    scan_request_id: str | None = None,
    now: dt.datetime | None = None,
) -> Document:
    """Checks, sanitises, encrypts and stores one file sent during a connected call.

    A scan comes from the call's kiosk (optionally answering `scan_request_id`, which becomes `done`); a
    print from the agent on the call, to a kiosk with a printer, and gets a queued PrintJob that is sent to
    the kiosk's bridge (`bridge.print`). `stream` is read in chunks into a private temporary file, deleted
    whatever happens. Publishes `document.added` (and `scan.state` / nothing else) after commit.

    Raises CallNotFound (not the actor's call), DocumentNotAllowed (wrong side, not the call's agent),
    CallNotConnected, DocumentTooLarge, DocumentRefused (type, pages, pixels, unreadable, a scan request
    that is unknown or already answered), DocumentError (`no_printer`). A refusal leaves no row and no file.
    """
    if direction not in Direction.values:
        raise ValueError(f"direction {direction!r}")
    call = call_of_actor(call_id=call_id, kiosk=kiosk, agent=agent)
    if direction == Direction.SCAN and kiosk is None:
        raise DocumentNotAllowed("Seule la borne envoie des documents numérisés.")
    if direction == Direction.PRINT and agent is None:
        raise DocumentNotAllowed("Seul l'agent envoie des documents à imprimer.")
    if scan_request_id and direction != Direction.SCAN:
        raise DocumentRefused("Seule une numérisation répond à une demande de numérisation.", code="bad_request")
    if call.status != Call.Status.CONNECTED:
        raise CallNotConnected()
    if direction == Direction.PRINT and not call.kiosk.has_printer:
        raise DocumentError("Cette borne n'a pas d'imprimante.", code="no_printer")

    # The slow part (reading, parsing, rebuilding) runs before the transaction and holds no lock.
    with storage.spooled_upload(stream) as path:
        clean = sanitise(path)

    with new_encrypted_file() as storage_name, transaction.atomic():
        call = locked_connected_call(call.pk)
        request = None
        if scan_request_id:
            request = (
                ScanRequest.objects.select_for_update().filter(call=call, request_id=str(scan_request_id)[:64]).first()
            )
            if request is None or request.state not in (*ScanRequest.ACTIVE_STATES, ScanRequest.State.FAILED):
                raise DocumentRefused(
                    "Cette demande de numérisation est inconnue ou a déjà reçu son document.", code="bad_request"
                )
        at = now_or(now)
        document = document_write(
            data=clean.data,
            storage_name=storage_name,
            call=call,
            direction=direction,
            name=clean_name(name, clean.content_type),
            content_type=clean.content_type,
            pages=clean.pages,
            size=clean.size,
            sha256=clean.sha256,
            created_at=at,
            uploaded_by_kiosk=kiosk if direction == Direction.SCAN else None,
            uploaded_by_user=agent if direction == Direction.PRINT else None,
        )
        if direction == Direction.PRINT:
            print_job_queue(document=document, kiosk_id=call.kiosk_id, at=at)
        publish_to_call(call.kiosk_id, call.station_id, "document.added", {"document": document_entry(document)})
        if request is not None:
            request.state = ScanRequest.State.DONE
            request.reason = ""
            request.pages = document.pages
            request.document = document
            request.updated_at = at
            request.save()
            publish_to_call(call.kiosk_id, call.station_id, "scan.state", dict(scan_state_entry(request)))
    return document


def document_access_record(
    *,
    document: Document,
    action: str,
    user: User | None = None,
    kiosk: Kiosk | None = None,
    now: dt.datetime | None = None,
) -> DocumentAccess:
    """Writes who fetched what of a document (metadata, content, thumbnail, receipt), exactly one actor."""
    if (user is None) == (kiosk is None):
        raise ValueError("exactly one of user or kiosk")
    if action not in DocumentAccess.Action.values:
        raise ValueError(f"action {action!r}")
    return DocumentAccess.objects.create(document=document, user=user, kiosk=kiosk, action=action, at=now_or(now))


def documents_purge(*, now: dt.datetime | None = None) -> int:
    """Deletes the files of documents whose call ended more than the partner's retention ago
    (selectors.retention_hours_for) and marks them purged; the rows stay. Returns how many were purged.

    Safe to run twice or from several processes at once: rows are taken with `skip_locked` (PostgreSQL;
    SQLite serialises writers), the file is deleted before the row is marked, and deleting a missing file is
    not an error. Also removes files older than an hour that belong to no document (a rolled-back store).
    """
    now = now_or(now)
    purged = 0
    retention = dict(PartnerDocumentPolicy.objects.values_list("partner_id", "retention_hours"))
    for partner_id in Partner.objects.values_list("pk", flat=True):
        hours = retention.get(partner_id, DEFAULT_RETENTION_HOURS)
        cutoff = now - dt.timedelta(hours=hours)
        while True:
            with transaction.atomic():
                batch = list(
                    Document.objects.select_for_update(skip_locked=True)
                    .filter(
                        purged_at__isnull=True,
                        call__partner_id=partner_id,
                        call__status=Call.Status.ENDED,
                        call__ended_at__lte=cutoff,
                    )
                    .order_by("pk")[:200]
                )
                for document in batch:
                    storage.blob_delete(document.storage_name)
                Document.objects.filter(pk__in=[d.pk for d in batch], purged_at__isnull=True).update(purged_at=now)
            purged += len(batch)
            if len(batch) < 200:
                break
    _remove_orphans(now)
    return purged


def _remove_orphans(now: dt.datetime) -> None:
    names = dict(storage.stored_names())
    if not names:
        return
    live = set(
        Document.objects.filter(storage_name__in=list(names), purged_at__isnull=True).values_list(
            "storage_name", flat=True
        )
    )
    limit = (now - ORPHAN_GRACE).timestamp()
    for name, mtime in names.items():
        if name not in live and mtime < limit:
            storage.blob_delete(name)

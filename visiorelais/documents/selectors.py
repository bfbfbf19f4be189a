"""Reads of documents: the accessors (STYLE.md 5), the entries shared by HTTP answers and events, the
retention in force, and a kiosk's last peripheral health."""

from django.db.models import QuerySet

from visiorelais.accounts.models import PARTNER_ROLES, User
from visiorelais.documents import crypto, storage
from visiorelais.documents.errors import DocumentNotFound
from visiorelais.documents.events import (
    DocumentEntry,
    PeripheralsState,
    PrintJobEntry,
    ScanOptions,
    ScanState,
)
from visiorelais.documents.models import (
    DEFAULT_RETENTION_HOURS,
    Document,
    PartnerDocumentPolicy,
    PeripheralReport,
    PrintJob,
    ScanRequest,
)
from visiorelais.network.models import Kiosk, Partner

# Accessors: the only way a view or consumer reaches a document.


def _visible() -> QuerySet[Document]:
    return Document.objects.select_related("call", "print_job").filter(purged_at__isnull=True)


def document_get_for_agent(*, agent: User, document_id: int) -> Document:
    """The scan `document_id` if it was sent during a call of the agent's partner and is not purged;
    DocumentNotFound otherwise (another partner's, a print, a purged one and none at all look the same)."""
    if agent.role not in PARTNER_ROLES or not agent.partner_id or not agent.is_active:
        raise DocumentNotFound(f"document {document_id}")
    try:
        return _visible().get(pk=document_id, direction=Document.Direction.SCAN, call__partner_id=agent.partner_id)
    except Document.DoesNotExist:
        raise DocumentNotFound(f"document {document_id}") from None


def document_get_for_kiosk(*, kiosk: Kiosk, document_id: int) -> Document:
    """The print `document_id` if it was sent during a call of this kiosk and is not purged;
    DocumentNotFound otherwise."""
    try:
        return _visible().get(pk=document_id, direction=Document.Direction.PRINT, call__kiosk_id=kiosk.pk)
    except Document.DoesNotExist:
        raise DocumentNotFound(f"document {document_id}") from None


def document_plaintext(document: Document) -> bytes:
    """The decrypted, sanitised file. DocumentNotFound when its file is gone (purged meanwhile);
    crypto.DocumentKeyError when it cannot be decrypted (key dropped from the ring, file altered)."""
    try:
        blob = storage.blob_read(document.storage_name)
    except (FileNotFoundError, ValueError):
        raise DocumentNotFound(f"document {document.pk}") from None
    return crypto.decrypt(blob, key_id=document.key_id, document_id=document.pk)


def call_documents(*, call_id: int):
    """Every document exchanged during a call (purged ones included: the receipt lists what was sent; its own
    printed receipts left out), oldest first."""
    return (
        Document.objects.select_related("print_job")
        .filter(call_id=call_id, is_receipt=False)
        .order_by("created_at", "pk")
    )


def call_documents_for_agent(*, agent: User, call_id: int) -> list[DocumentEntry]:
    """The documents of the agent's call as the console lists them (a reloaded console gets them back): the
    call's unpurged scans and prints, oldest first; [] for a call of another partner or none."""
    if agent.role not in PARTNER_ROLES or not agent.partner_id or not agent.is_active:
        return []
    documents = _visible().filter(call_id=call_id, call__partner_id=agent.partner_id, is_receipt=False)
    return [document_entry(document) for document in documents.order_by("created_at", "pk")]


# Entries shared by HTTP answers and events.


def print_job_entry(job: PrintJob) -> PrintJobEntry:
    return {"id": job.pk, "state": job.state, "reason": job.reason, "message": job.message}  # type: ignore[typeddict-item]


def document_entry(document: Document) -> DocumentEntry:
    try:
        job = document.print_job
    except PrintJob.DoesNotExist:
        job = None
    return {
        "id": document.pk,
        "call_id": document.call_id,
        "direction": document.direction,  # type: ignore[typeddict-item]
        "name": document.name,
        "content_type": document.content_type,  # type: ignore[typeddict-item]
        "pages": document.pages,
        "size": document.size,
        "sha256": document.sha256,
        "created_at": document.created_at.isoformat(),
        "print_job": print_job_entry(job) if job else None,
    }


SCAN_MESSAGES = {
    ScanRequest.State.REQUESTED: "Numérisation demandée : posez vos feuilles sur le scanner.",
    ScanRequest.State.SCANNING: "Numérisation en cours…",
    ScanRequest.State.UPLOADING: "Envoi du document à votre conseiller…",
    ScanRequest.State.DONE: "Document reçu.",
}
SCAN_FAILURES = {
    ScanRequest.Reason.JAMMED: "Le scanner est bloqué : une feuille coince.",
    ScanRequest.Reason.NO_DOCS: "Aucune feuille dans le scanner : posez vos documents puis recommencez.",
    ScanRequest.Reason.COVER_OPEN: "Le capot du scanner est ouvert : refermez-le puis recommencez.",
    ScanRequest.Reason.NO_SCANNER: "Le scanner de la borne ne répond pas.",
    ScanRequest.Reason.ERROR: "La numérisation a échoué. Vous pouvez recommencer.",
}


def scan_message(request: ScanRequest) -> str:
    if request.state == ScanRequest.State.FAILED:
        return SCAN_FAILURES.get(request.reason, SCAN_FAILURES[ScanRequest.Reason.ERROR])
    if request.state == ScanRequest.State.SCANNING and request.pages:
        return f"Numérisation en cours… ({request.pages} page{'s' if request.pages > 1 else ''})"
    return SCAN_MESSAGES[request.state]


def scan_state_entry(request: ScanRequest) -> ScanState:
    return {
        "call_id": request.call_id,
        "request_id": request.request_id,
        "state": request.state,  # type: ignore[typeddict-item]
        "pages": request.pages,
        "message": scan_message(request),
    }


# Retention and peripherals.


def retention_hours_for(partner: Partner) -> int:
    """How many hours after a call's end its documents are kept: the partner's policy, 24 without one."""
    hours = PartnerDocumentPolicy.objects.filter(partner_id=partner.pk).values_list("retention_hours", flat=True)
    return next(iter(hours), DEFAULT_RETENTION_HOURS)


def peripherals_latest(*, kiosk_id: int) -> PeripheralReport | None:
    """The kiosk's last reported health (one indexed row), or None if its bridge never reported."""
    return PeripheralReport.objects.filter(kiosk_id=kiosk_id).order_by("-at", "-pk").first()


def peripherals_entry(*, kiosk_id: int, report: PeripheralReport | None = None) -> PeripheralsState:
    """The kiosk's peripherals as screens see them (`scanner`/`printer` None: never reported)."""
    report = report or peripherals_latest(kiosk_id=kiosk_id)
    return {
        "kiosk_id": kiosk_id,
        "scanner": report.scanner if report else None,
        "printer": report.printer if report else None,
        "at": report.last_seen_at.isoformat() if report else None,
    }


def scan_options_for(*, kiosk_id: int) -> ScanOptions:
    """What the bridge is asked to scan with: 300 dpi greyscale, from the feeder when the scanner has one."""
    report = peripherals_latest(kiosk_id=kiosk_id)
    adf = bool(report and isinstance(report.scanner, dict) and report.scanner.get("adf"))
    return {"resolution": 300, "mode": "Gray", "source": "ADF" if adf else "Flatbed"}

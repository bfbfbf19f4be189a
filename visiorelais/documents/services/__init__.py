"""Changes of documents, scans, print jobs and the bridge's reports (STYLE.md 4).

Import services from here; the sub-modules are an internal split by sub-domain.

Every service takes the acting kiosk or agent as the caller has it (a view, the bridge socket), checks that
this actor may act, and publishes its events only after commit (documents/events.py). Documents cross only
a connected call: a scan from the call's kiosk, a print from the call's agent.
"""

from visiorelais.documents.services.bridge import bridge_wiped, peripherals_report
from visiorelais.documents.services.documents import document_access_record, document_store, documents_purge
from visiorelais.documents.services.print_jobs import PRINT_MESSAGES, PRINT_MOVES, print_job_update
from visiorelais.documents.services.receipts import RECEIPT_PRINT_WINDOW, receipt_print
from visiorelais.documents.services.scans import scan_failed, scan_progress, scan_request

__all__ = [
    "PRINT_MESSAGES",
    "PRINT_MOVES",
    "RECEIPT_PRINT_WINDOW",
    "bridge_wiped",
    "document_access_record",
    "document_store",
    "documents_purge",
    "peripherals_report",
    "print_job_update",
    "receipt_print",
    "scan_failed",
    "scan_progress",
    "scan_request",
]

"""Print jobs: queued by document_store, moved by the bridge's reports."""

from django.db import transaction

from visiorelais.documents.errors import (
    IllegalTransition,
    InvalidReport,
    PrintJobNotFound,
)
from visiorelais.documents.events import publish_to_call
from visiorelais.documents.models import PrintJob
from visiorelais.documents.selectors import print_job_entry
from visiorelais.documents.services.common import now_or
from visiorelais.network.models import Kiosk

PRINT_MESSAGES = {
    "queued": "En attente d'impression.",
    "printing": "Impression en cours…",
    "done": "Document imprimé : reprenez-le dans le bac de l'imprimante.",
    "out_of_paper": "L'imprimante n'a plus de papier : prévenez l'accueil.",
    "jammed": "Une feuille est coincée dans l'imprimante : prévenez l'accueil.",
    "offline": "L'imprimante de la borne ne répond pas.",
    "error": "L'impression a échoué.",
}
PRINT_MOVES = {
    PrintJob.State.QUEUED: {PrintJob.State.PRINTING, PrintJob.State.DONE, PrintJob.State.FAILED},
    PrintJob.State.PRINTING: {PrintJob.State.DONE, PrintJob.State.FAILED},
}


def print_job_update(*, kiosk: Kiosk, job_id: int, state: str, reason: str = "", now=None) -> PrintJob:
    """The bridge reports where a print job stands.

    Allowed: queued → printing → done | failed, queued → done | failed. `reason` is required with `failed`
    (`out_of_paper`, `jammed`, `offline`, `error`) and ignored otherwise. Reporting the state the job is
    already in changes nothing and publishes nothing (idempotent). Any other move raises IllegalTransition;
    a job of another kiosk raises PrintJobNotFound; an unknown state or reason raises InvalidReport.
    Publishes `print_job.state` to the call's kiosk and agent after commit.
    """
    if state not in PrintJob.State.values:
        raise InvalidReport(code="bad_state")
    if state == PrintJob.State.FAILED:
        if reason not in PrintJob.Reason.values or not reason:
            raise InvalidReport(code="bad_reason")
    else:
        reason = ""
    if not isinstance(job_id, int) or isinstance(job_id, bool):
        raise InvalidReport(code="bad_job")
    with transaction.atomic():
        job = (
            PrintJob.objects.select_for_update()
            .select_related("document__call")
            .filter(pk=job_id, document__call__kiosk_id=kiosk.pk)
            .first()
        )
        if job is None:
            raise PrintJobNotFound(f"print job {job_id}")
        if job.state == state and job.reason == reason:
            return job
        if state not in PRINT_MOVES.get(job.state, ()):
            raise IllegalTransition(f"Impression déjà {job.get_state_display()}.", code="illegal_transition")
        at = now_or(now)
        if job.state == PrintJob.State.QUEUED:
            job.submitted_at = at
        job.state = state
        job.reason = reason
        job.message = PRINT_MESSAGES[reason or state]
        job.updated_at = at
        job.save()
        call = job.document.call
        publish_to_call(
            call.kiosk_id,
            call.station_id,
            "print_job.state",
            {"document_id": job.document_id, "print_job": print_job_entry(job)},
        )
    return job

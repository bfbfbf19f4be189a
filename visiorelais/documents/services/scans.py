"""Scan requests: asked by the kiosk or the agent, carried out and reported by the bridge."""

import datetime as dt
import secrets

from django.db import transaction

from visiorelais.accounts.models import User
from visiorelais.documents.errors import (
    DocumentError,
    IllegalTransition,
    InvalidReport,
    ScanRequestNotFound,
)
from visiorelais.documents.events import group_for_bridge, publish_on_commit, publish_to_call
from visiorelais.documents.models import ScanRequest
from visiorelais.documents.selectors import scan_options_for, scan_state_entry
from visiorelais.documents.services.common import call_of_actor, locked_connected_call, now_or
from visiorelais.network.models import Kiosk

# A scan request the bridge has not moved on for this long no longer blocks a new one.
SCAN_STALE_AFTER = dt.timedelta(minutes=2)


def scan_request(*, call_id: int, kiosk: Kiosk | None = None, agent: User | None = None, now=None) -> ScanRequest:
    """The kiosk (a resident's touch) or the agent on the call (a remote scan) asks the kiosk to scan.

    Allowed while the call is connected, on a kiosk with a scanner, and when no other scan of the call is
    under way (one the bridge left silent for two minutes counts as failed). Creates the request
    (`requested`), sends `bridge.scan` to the kiosk's bridge and `scan.state` to both screens after commit.
    """
    call = call_of_actor(call_id=call_id, kiosk=kiosk, agent=agent)
    at = now_or(now)
    with transaction.atomic():
        call = locked_connected_call(call.pk)
        if not call.kiosk.has_scanner:
            raise DocumentError("Cette borne n'a pas de scanner.", code="no_scanner")
        for active in ScanRequest.objects.select_for_update().filter(call=call, state__in=ScanRequest.ACTIVE_STATES):
            if at - active.updated_at < SCAN_STALE_AFTER:
                raise IllegalTransition("Une numérisation est déjà en cours.", code="scan_in_progress")
            _scan_set(active, state=ScanRequest.State.FAILED, reason=ScanRequest.Reason.ERROR, at=at)
        request = ScanRequest.objects.create(
            call=call,
            request_id=secrets.token_hex(16),
            requested_by=ScanRequest.RequestedBy.KIOSK if kiosk is not None else ScanRequest.RequestedBy.AGENT,
            created_at=at,
            updated_at=at,
        )
        publish_on_commit(
            group_for_bridge(call.kiosk_id),
            "bridge.scan",
            {"call_id": call.pk, "request_id": request.request_id, "options": scan_options_for(kiosk_id=call.kiosk_id)},
        )
        publish_to_call(call.kiosk_id, call.station_id, "scan.state", dict(scan_state_entry(request)))
    return request


def _scan_of_kiosk(kiosk: Kiosk, request_id: str) -> ScanRequest:
    if not isinstance(request_id, str):
        raise InvalidReport()
    request = (
        ScanRequest.objects.select_for_update()
        .select_related("call")
        .filter(request_id=request_id[:64], call__kiosk_id=kiosk.pk)
        .first()
    )
    if request is None:
        raise ScanRequestNotFound(f"scan request {request_id}")
    return request


def _scan_set(request: ScanRequest, *, state: str, at: dt.datetime, pages: int | None = None, reason="") -> None:
    request.state = state
    request.reason = reason
    if pages is not None:
        request.pages = pages
    request.updated_at = at
    request.save()
    call = request.call
    publish_to_call(call.kiosk_id, call.station_id, "scan.state", dict(scan_state_entry(request)))


_SCAN_RANK = {ScanRequest.State.REQUESTED: 0, ScanRequest.State.SCANNING: 1, ScanRequest.State.UPLOADING: 2}


def scan_progress(*, kiosk: Kiosk, request_id: str, pages: int, state: str = "scanning", now=None) -> ScanRequest:
    """The bridge reports a scan under way: `scanning` (pages so far) or `uploading`.

    Moves requested → scanning → uploading (and scanning → scanning with more pages). A report for a
    finished request, or one that would move backwards (messages may cross), changes nothing and publishes
    nothing. Raises ScanRequestNotFound (not this kiosk's), InvalidReport.
    """
    if state not in (ScanRequest.State.SCANNING, ScanRequest.State.UPLOADING):
        raise InvalidReport(code="bad_state")
    if not isinstance(pages, int) or isinstance(pages, bool) or not 0 <= pages <= 10_000:
        raise InvalidReport(code="bad_pages")
    with transaction.atomic():
        request = _scan_of_kiosk(kiosk, request_id)
        if request.state not in ScanRequest.ACTIVE_STATES or _SCAN_RANK[state] < _SCAN_RANK[request.state]:
            return request
        if request.state == state and request.pages == pages:
            return request
        _scan_set(request, state=state, pages=max(pages, request.pages), at=now_or(now))
    return request


def scan_failed(*, kiosk: Kiosk, request_id: str, reason: str, now=None) -> ScanRequest:
    """The bridge reports a failed scan: `jammed`, `no_docs`, `cover_open`, `no_scanner` or `error`.

    Moves requested/scanning/uploading → failed, with the French message of the reason. Idempotent; a report
    for a scan already done changes nothing. Raises ScanRequestNotFound, InvalidReport (unknown reason).
    """
    if reason not in ScanRequest.Reason.values or not reason:
        raise InvalidReport(code="bad_reason")
    with transaction.atomic():
        request = _scan_of_kiosk(kiosk, request_id)
        if request.state in ScanRequest.ACTIVE_STATES:
            _scan_set(request, state=ScanRequest.State.FAILED, reason=reason, at=now_or(now))
    return request

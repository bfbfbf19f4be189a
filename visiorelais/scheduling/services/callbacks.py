"""Callbacks: a resident leaves a number at the kiosk; the partner's agents call back; the number is erased."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from visiorelais.accounts.models import PARTNER_ROLES, User
from visiorelais.calls.selectors import partner_state
from visiorelais.network.models import Entitlement, Kiosk, Partner, Topic
from visiorelais.network.selectors import kiosk_entitlement_mode
from visiorelais.scheduling import conf
from visiorelais.scheduling.errors import SchedulingRefused
from visiorelais.scheduling.events import publish_callbacks_changed
from visiorelais.scheduling.models import CallbackAttempt, CallbackEvent, CallbackRequest
from visiorelais.scheduling.phones import phone_normalise
from visiorelais.scheduling.selectors import callback_policy, callback_reason_for

Status, Kind, Reason = CallbackRequest.Status, CallbackEvent.Kind, CallbackRequest.Reason


def _event(request: CallbackRequest, kind: str, at: dt.datetime, *, agent=None, **detail) -> None:
    CallbackEvent.objects.create(request=request, kind=kind, at=at, agent=agent, detail=detail)


def callback_reason(*, kiosk: Kiosk, partner: Partner, now: dt.datetime) -> str | None:
    """Why the kiosk may offer "être rappelé" for `partner` now (a CallbackRequest.Reason), or None when the
    partner can answer now within its wait limit, or is not reached from this kiosk."""
    mode = kiosk_entitlement_mode(kiosk=kiosk, partner=partner)
    if mode is None:
        return None
    if mode == Entitlement.Mode.APPOINTMENT_ONLY:
        return Reason.APPOINTMENT_ONLY
    return callback_reason_for(
        mode=mode,
        state=partner_state(partner=partner, now=now),
        wait_limit_minutes=callback_policy(partner=partner).wait_limit_minutes,
    )


def callback_request(
    *,
    kiosk: Kiosk,
    partner_id: int,
    phone: str,
    preferred_period: str,
    topic_id: int | None = None,
    now: dt.datetime | None = None,
) -> CallbackRequest:
    """A resident asks to be called back by a partner who cannot answer now (closed, no station staffed, a
    wait over the partner's limit, or reached by appointment only).

    Refused (nothing written): `callback_not_entitled`, `callback_not_needed` (the partner can answer now),
    `bad_phone` (not a valid French number), `bad_period`, `bad_topic`, `callback_duplicate` (this number
    already waits for this partner).
    """
    now = now or timezone.now()
    partner = Partner.objects.filter(pk=partner_id).first()
    if partner is None or kiosk_entitlement_mode(kiosk=kiosk, partner=partner) is None:
        raise SchedulingRefused("callback_not_entitled")
    phone = phone_normalise(phone)
    if preferred_period not in CallbackRequest.Period.values:
        raise SchedulingRefused("bad_period", field="preferred_period")
    topic = None
    if topic_id is not None:
        topic = Topic.objects.filter(pk=topic_id, partner=partner, active=True).first()
        if topic is None:
            raise SchedulingRefused("bad_topic", field="topic")
    reason = callback_reason(kiosk=kiosk, partner=partner, now=now)
    if reason is None:
        raise SchedulingRefused("callback_not_needed")
    with transaction.atomic():
        list(Partner.objects.select_for_update().filter(pk=partner.pk))  # serialises the duplicate check
        open_requests = CallbackRequest.objects.filter(
            partner=partner, phone=phone, status__in=CallbackRequest.OPEN_STATUSES
        )
        if open_requests.exists():
            raise SchedulingRefused("callback_duplicate")
        request = CallbackRequest.objects.create(
            partner=partner,
            kiosk=kiosk,
            topic=topic,
            phone=phone,
            preferred_period=preferred_period,
            reason=reason,
            requested_at=now,
        )
        _event(request, Kind.REQUESTED, now, kiosk_id=kiosk.pk, site_id=kiosk.site_id, reason=reason)
        publish_callbacks_changed(partner_id=request.partner_id)
    return request


def _locked_request_for_agent(agent: User, request_id: int) -> CallbackRequest:
    if agent.role not in PARTNER_ROLES or not agent.partner_id:
        raise SchedulingRefused("not_partner_agent")
    request = CallbackRequest.objects.select_for_update().filter(pk=request_id, partner_id=agent.partner_id).first()
    if request is None:
        raise SchedulingRefused("callback_unknown")
    return request


def callback_take(*, agent: User, request_id: int, now: dt.datetime | None = None) -> CallbackRequest:
    """An agent of the partner takes a request to call the resident back.

    Allowed: pending → taken (by this agent); taking again one's own request changes nothing. Refused:
    `not_partner_agent`, `callback_unknown` (another partner's, or none), `callback_not_pending`.
    """
    now = now or timezone.now()
    with transaction.atomic():
        request = _locked_request_for_agent(agent, request_id)
        if request.status == Status.TAKEN and request.taken_by_id == agent.pk:
            return request
        if request.status != Status.PENDING:
            raise SchedulingRefused("callback_not_pending")
        request.status = Status.TAKEN
        request.taken_by = agent
        request.taken_at = now
        request.save(update_fields=["status", "taken_by", "taken_at"])
        _event(request, Kind.TAKEN, now, agent=agent)
        publish_callbacks_changed(partner_id=request.partner_id)
    return request


def callback_attempt(
    *, agent: User, request_id: int, outcome: str, note: str = "", now: dt.datetime | None = None
) -> CallbackRequest:
    """The agent who took a request records one attempt to call back.

    Allowed: taken → done (the resident was reached); taken → pending (failed: any agent may try again), or
    → failed (closed) after CALLBACK_MAX_ATTEMPTS failed attempts. Refused: `not_partner_agent`,
    `callback_unknown`, `callback_not_yours` (taken by someone else, or not taken), `bad_outcome`.
    """
    now = now or timezone.now()
    if outcome not in CallbackAttempt.Outcome.values:
        raise SchedulingRefused("bad_outcome")
    with transaction.atomic():
        request = _locked_request_for_agent(agent, request_id)
        if request.status != Status.TAKEN or request.taken_by_id != agent.pk:
            raise SchedulingRefused("callback_not_yours")
        CallbackAttempt.objects.create(request=request, agent=agent, outcome=outcome, note=note[:200], at=now)
        if outcome == CallbackAttempt.Outcome.DONE:
            request.status = Status.DONE
            request.closed_at = now
            _event(request, Kind.ATTEMPT_DONE, now, agent=agent)
        else:
            _event(request, Kind.ATTEMPT_FAILED, now, agent=agent)
            failures = request.attempts.filter(outcome=CallbackAttempt.Outcome.FAILED).count()
            if failures >= conf.callback_max_attempts():
                request.status = Status.FAILED
                request.closed_at = now
                _event(request, Kind.FAILED, now, agent=agent, attempts=failures)
            else:
                request.status = Status.PENDING
                request.taken_by = None
                request.taken_at = None
        request.save(update_fields=["status", "closed_at", "taken_by", "taken_at"])
        publish_callbacks_changed(partner_id=request.partner_id)
    return request


def callbacks_erase(*, now: dt.datetime | None = None) -> int:
    """Erases the phone numbers the partners' delays no longer allow to keep; returns how many.

    A closed request loses its number `erase_after_days` (the partner's, CALLBACK_ERASE_DAYS by default)
    after it was closed. A request still open that long after it was made is closed as expired and erased at
    once. The rows stay, without the number, for statistics. Safe to run twice or from two processes.
    """
    now = now or timezone.now()
    erased = 0
    partner_ids = CallbackRequest.objects.filter(erased_at__isnull=True).values_list("partner_id", flat=True).distinct()
    for partner in Partner.objects.filter(pk__in=list(partner_ids)):
        limit = now - dt.timedelta(days=callback_policy(partner=partner).erase_after_days)
        stale_open = CallbackRequest.objects.filter(
            partner=partner, status__in=CallbackRequest.OPEN_STATUSES, requested_at__lte=limit
        )
        closed = CallbackRequest.objects.filter(partner=partner, erased_at__isnull=True, closed_at__lte=limit)
        for request_id in [*stale_open.values_list("pk", flat=True), *closed.values_list("pk", flat=True)]:
            with transaction.atomic():
                request = (
                    CallbackRequest.objects.select_for_update().filter(pk=request_id, erased_at__isnull=True).first()
                )
                if request is None:
                    continue
                if request.status in CallbackRequest.OPEN_STATUSES:
                    request.status = Status.EXPIRED
                    request.closed_at = now
                    _event(request, Kind.EXPIRED, now)
                    publish_callbacks_changed(partner_id=request.partner_id)
                elif request.closed_at > limit:
                    continue
                request.phone = ""
                request.erased_at = now
                request.save(update_fields=["status", "closed_at", "phone", "erased_at"])
                _event(request, Kind.ERASED, now)
            erased += 1
    return erased

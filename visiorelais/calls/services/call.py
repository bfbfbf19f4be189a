"""The Call state machine: one service per transition.

    requested ──(open, someone seated)──▶ queued ──route──▶ offered ──accept──▶ connected ──end──▶ ended
        └──(closed / no station staffed)──▶ ended: unavailable
    offered ──decline / ring timeout / station lost──▶ queued (keeps its place at the head)
    queued, offered ──give up / kiosk lost──▶ ended: abandoned
    queued ──every staffed station declined──▶ ended: declined_by_all
    queued ──last seated agent gone──▶ ended: unanswered
    connected ──hang up──▶ ended: completed;  ──either side lost, or a client reports failure──▶ ended: failed

Each service takes the acting kiosk or agent and ids, as a consumer has them, checks that the
actor may act, and raises IllegalTransition for a move the current state does not allow.
"""

import datetime as dt

from django.db import IntegrityError
from django.utils import timezone

from visiorelais.accounts.models import PARTNER_ROLES, User
from visiorelais.calls.errors import CallNotFound, CallRefused, IllegalTransition, NotAllowed
from visiorelais.calls.models import Call, CallEvent, StationPresence
from visiorelais.calls.selectors import (
    call_queue_position,
    estimated_wait_seconds,
    partner_next_opening_after_this_window,
    partner_staffed_count,
)
from visiorelais.calls.services.dispatch import PartnerChange, kiosk_seen, partner_change
from visiorelais.network.models import Entitlement, Kiosk, Partner, Station, Topic
from visiorelais.network.selectors import kiosk_entitlement_mode, partner_is_open, partner_next_opening

State = StationPresence.State


def _locked_call(change: PartnerChange, call_id: int) -> Call:
    try:
        return Call.objects.select_for_update().get(pk=call_id, partner_id=change.partner_id)
    except Call.DoesNotExist:
        raise CallNotFound(f"call {call_id}") from None


def _partner_id_of(call_id: int) -> int:
    partner_id = Call.objects.filter(pk=call_id).values_list("partner_id", flat=True).first()
    if partner_id is None:
        raise CallNotFound(f"call {call_id}")
    return partner_id


def _require(call: Call, *statuses: str, move: str) -> None:
    if call.status not in statuses:
        raise IllegalTransition(f"{move}: call {call.pk} is {call.status}")


def call_request(
    *,
    kiosk: Kiosk,
    partner_id: int,
    topic_id: int | None = None,
    now: dt.datetime | None = None,
    reserved_station_id: int | None = None,
) -> Call:
    """A resident touches a partner on a kiosk.

    Allowed: (new) → requested → queued, when the partner is within its service windows and at
    least one of its stations is staffed; otherwise (new) → requested → ended with outcome
    `unavailable`, reason `closed` or `no_station_staffed`, and `next_opening`. Routing follows at
    once, so the returned call may already be `offered`.
    Refused (CallRefused) when the kiosk does not reach the partner (`not_entitled`, also for a
    retired or maintenance kiosk), reaches it by appointment only (`appointment_only`), names a topic
    that is not the partner's active one (`bad_topic`), or already has an open call (`kiosk_busy`).
    Counts as a heartbeat of the kiosk.

    With `reserved_station_id` (an appointment checked in, see scheduling): the call is offered only
    to that station of the partner, ahead of walk-in calls; an appointment-only partner is allowed, and
    the service windows are not checked (the booked slot is the opening). Refused besides when the
    station is not an active one of the partner (`bad_station`) or has no agent seated
    (`station_not_staffed`); nothing is written then.
    """
    partner = Partner.objects.filter(pk=partner_id).first()
    mode = kiosk_entitlement_mode(kiosk=kiosk, partner=partner) if partner else None
    if mode is None:
        raise CallRefused(code="not_entitled")
    if mode == Entitlement.Mode.APPOINTMENT_ONLY and reserved_station_id is None:
        raise CallRefused(code="appointment_only")
    reserved = None
    if reserved_station_id is not None:
        reserved = Station.objects.filter(pk=reserved_station_id, partner=partner, active=True).first()
        if reserved is None:
            raise CallRefused(code="bad_station")
    topic = None
    if topic_id is not None:
        topic = Topic.objects.filter(pk=topic_id, partner=partner, active=True).first()
        if topic is None:
            raise CallRefused(code="bad_topic")
    try:
        with partner_change(partner.pk, now) as change:
            if Call.objects.filter(kiosk=kiosk).exclude(status=Call.Status.ENDED).exists():
                raise CallRefused(code="kiosk_busy")
            if reserved is not None and not _station_staffed(reserved.pk):
                raise CallRefused(code="station_not_staffed")
            now = change.now
            kiosk_seen(kiosk_id=kiosk.pk, now=now)
            call = Call.objects.create(
                kiosk=kiosk, partner=partner, topic=topic, requested_at=now, reserved_station=reserved
            )
            change.call_event(
                call,
                CallEvent.Kind.REQUESTED,
                kiosk_id=kiosk.pk,
                kiosk_code=kiosk.code,
                site_id=kiosk.site_id,
                partner_id=partner.pk,
                topic_id=topic.pk if topic else None,
                **({"reserved_station_id": reserved.pk} if reserved else {}),
            )
            if reserved is None and not partner_is_open(partner=partner, at=now):
                change.end(
                    call,
                    Call.Outcome.UNAVAILABLE,
                    reason="closed",
                    next_opening=partner_next_opening(partner=partner, after=now),
                )
            elif reserved is None and partner_staffed_count(partner_id=partner.pk) == 0:
                change.end(
                    call,
                    Call.Outcome.UNAVAILABLE,
                    reason="no_station_staffed",
                    next_opening=partner_next_opening_after_this_window(partner=partner, now=now),
                )
            else:
                call.status = Call.Status.QUEUED
                call.queued_at = now
                call.save()
                position = call_queue_position(call=call)
                change.call_event(
                    call,
                    CallEvent.Kind.QUEUED,
                    position=position,
                    estimated_wait_seconds=estimated_wait_seconds(partner_id=partner.pk, position=position),
                )
    except IntegrityError:
        # Two requests from one kiosk to two partners at once: the open-call constraint caught it.
        raise CallRefused(code="kiosk_busy") from None
    call.refresh_from_db()
    return call


def _station_staffed(station_id: int) -> bool:
    return StationPresence.objects.filter(station_id=station_id, state__in=StationPresence.STAFFED_STATES).exists()


def _agent_presence(agent: User) -> StationPresence:
    if agent.role not in PARTNER_ROLES or not agent.partner_id:
        raise NotAllowed("not a partner agent")
    presence = StationPresence.objects.select_for_update().filter(agent=agent).first()
    if presence is None:
        raise IllegalTransition("the agent holds no station", code="no_station")
    return presence


def _offered_to_agent(change: PartnerChange, agent: User, call_id: int) -> tuple[Call, StationPresence]:
    call = _locked_call(change, call_id)
    presence = _agent_presence(agent)
    if call.status != Call.Status.OFFERED or call.station_id != presence.station_id:
        raise IllegalTransition(f"call {call.pk} is not ringing at the agent's station")
    return call, presence


def call_accept(*, agent: User, call_id: int, now: dt.datetime | None = None) -> Call:
    """The agent picks up the call ringing at their station.

    Allowed: offered (to this agent's station) → connected; the station becomes busy. Writes an
    `accepted` row (the offer's result) and a `connected` row (the state change).
    """
    if agent.partner_id is None:
        raise CallNotFound(f"call {call_id}")
    with partner_change(agent.partner_id, now) as change:
        call, presence = _offered_to_agent(change, agent, call_id)
        change.call_event(call, CallEvent.Kind.ACCEPTED, station_id=presence.station_id, agent_id=agent.pk)
        call.status = Call.Status.CONNECTED
        call.agent = agent
        call.connected_at = change.now
        call.ring_deadline = None
        call.save()
        change.set_station(presence, State.BUSY, reason="accepted", call=call)
        change.call_event(call, CallEvent.Kind.CONNECTED, station_id=presence.station_id, agent_id=agent.pk)
    call.refresh_from_db()
    return call


def call_decline(*, agent: User, call_id: int, now: dt.datetime | None = None) -> Call:
    """The agent declines the call ringing at their station.

    Allowed: offered (to this agent's station) → queued, at the head, and never offered to this
    station again; the station is available again at once (no pause). When every staffed station
    of the partner has now declined it, or it is an appointment's call declined by its reserved
    station (no other station may take it): → ended, outcome `declined_by_all`.
    """
    if agent.partner_id is None:
        raise CallNotFound(f"call {call_id}")
    with partner_change(agent.partner_id, now) as change:
        call, presence = _offered_to_agent(change, agent, call_id)
        change.release_offer(call, CallEvent.Kind.DECLINED)
        change.set_station(presence, State.AVAILABLE, reason="declined", call=call)
        staffed = set(
            StationPresence.objects.filter(
                station__partner_id=change.partner_id,
                station__active=True,
                state__in=StationPresence.STAFFED_STATES,
            ).values_list("station_id", flat=True)
        )
        declined = set(
            CallEvent.objects.filter(call=call, kind=CallEvent.Kind.DECLINED).values_list("station_id", flat=True)
        )
        if staffed <= declined or call.reserved_station_id in declined:
            change.end(call, Call.Outcome.DECLINED_BY_ALL, reason="declined_by_all")
    call.refresh_from_db()
    return call


def call_ring_timeout(*, call_id: int, now: dt.datetime | None = None) -> Call:
    """Nobody picked up within CALL_RING_TIMEOUT_SECONDS.

    Allowed: offered, with its ring deadline passed → queued, at the head; the silent station is
    paused with reason `ring_timeout` (its console is told why). Before the deadline: IllegalTransition.
    """
    now = now or timezone.now()
    with partner_change(_partner_id_of(call_id), now) as change:
        call = _locked_call(change, call_id)
        _require(call, Call.Status.OFFERED, move="ring timeout")
        if call.ring_deadline is None or call.ring_deadline > now:
            raise IllegalTransition(f"call {call.pk} is still ringing", code="still_ringing")
        presence = change.release_offer(call, CallEvent.Kind.RING_TIMEOUT)
        if presence is not None:
            change.set_station(presence, State.PAUSED, pause_reason=StationPresence.PauseReason.RING_TIMEOUT, call=call)
    call.refresh_from_db()
    return call


def call_expire_rings(*, now: dt.datetime | None = None) -> list[int]:
    """Applies call_ring_timeout to every call whose ring deadline has passed; returns their ids.
    Meant for a periodic task (any process may run it; the lock makes a second run a no-op)."""
    now = now or timezone.now()
    expired = []
    due = Call.objects.filter(status=Call.Status.OFFERED, ring_deadline__lte=now).values_list("pk", flat=True)
    for call_id in list(due):
        try:
            call_ring_timeout(call_id=call_id, now=now)
        except IllegalTransition:
            continue  # accepted or declined meanwhile
        expired.append(call_id)
    return expired


def call_give_up(*, kiosk: Kiosk, call_id: int, now: dt.datetime | None = None) -> Call:
    """The resident stops waiting.

    Allowed: queued → ended, outcome `abandoned`; offered → ended, outcome `abandoned`, after an
    `offer_cancelled` row (reason `kiosk_gave_up`), and the ringing station is available again.
    A connected call is hung up with call_end instead.
    """
    with partner_change(_partner_id_of(call_id), now) as change:
        call = _locked_call(change, call_id)
        if call.kiosk_id != kiosk.pk:
            raise CallNotFound(f"call {call_id}")
        _require(call, *Call.WAITING_STATUSES, move="give up")
        abandon(change, call, reason="given_up")
    call.refresh_from_db()
    return call


def abandon(change: PartnerChange, call: Call, *, reason: str) -> None:
    """queued/offered → ended: abandoned (the resident left, or their kiosk fell silent)."""
    if call.status == Call.Status.OFFERED:
        presence = change.release_offer(
            call, CallEvent.Kind.OFFER_CANCELLED, reason="kiosk_gave_up" if reason == "given_up" else reason
        )
        if presence is not None:
            change.set_station(presence, State.AVAILABLE, reason="offer_cancelled", call=call)
    change.end(call, Call.Outcome.ABANDONED, reason=reason)


def call_end(
    *,
    call_id: int,
    kiosk: Kiosk | None = None,
    agent: User | None = None,
    outcome: str = Call.Outcome.COMPLETED,
    reason: str = "",
    now: dt.datetime | None = None,
) -> Call:
    """Hangs up a connected call, from the kiosk or from the agent (exactly one of them).

    Allowed: connected → ended with outcome `completed` (a normal hang-up) or `failed` (a client
    reports that media could not be restored). The station goes to wrap-up. `reason` defaults to
    `hung_up_by_kiosk` / `hung_up_by_agent`. Other outcomes are reached through the other services.
    """
    if (kiosk is None) == (agent is None):
        raise ValueError("call_end needs exactly one of kiosk or agent")
    if outcome not in (Call.Outcome.COMPLETED, Call.Outcome.FAILED):
        raise IllegalTransition(f"call_end cannot end with {outcome}", code="bad_outcome")
    with partner_change(_partner_id_of(call_id), now) as change:
        call = _locked_call(change, call_id)
        if kiosk is not None and call.kiosk_id != kiosk.pk:
            raise CallNotFound(f"call {call_id}")
        if agent is not None and call.partner_id != agent.partner_id:
            raise CallNotFound(f"call {call_id}")
        _require(call, Call.Status.CONNECTED, move="end")
        if agent is not None and call.agent_id != agent.pk:
            raise NotAllowed("only the agent on the call may hang it up")
        reason = reason or ("hung_up_by_kiosk" if kiosk is not None else "hung_up_by_agent")
        end_connected(change, call, outcome, reason=reason)
    call.refresh_from_db()
    return call


def end_connected(change: PartnerChange, call: Call, outcome: str, *, reason: str, station_gone=False) -> None:
    """connected → ended; the station goes to wrap-up (or is left to the caller when it is gone)."""
    change.end(call, outcome, reason=reason)
    if station_gone:
        return
    presence = StationPresence.objects.select_for_update().filter(station_id=call.station_id).first()
    if presence is not None:
        change.set_station(presence, State.WRAP_UP, reason="call_ended", call=call)

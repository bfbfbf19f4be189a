"""Reads of the live call: accessors, wait estimates, and the snapshots screens start from.

The entry builders (`kiosk_call_entry`, `queue_call_entry`, `station_entry`, `partner_state`) are
shared by the snapshots and by the events, so that a snapshot and the deltas speak the same shape.
"""

import datetime as dt
import math

from django.db.models import Case, Q, Value, When
from django.utils import timezone

from visiorelais.accounts.models import PARTNER_ROLES, User
from visiorelais.calls import conf
from visiorelais.calls.errors import CallNotFound
from visiorelais.calls.events import (
    KioskCall,
    KioskPartnerEntry,
    KioskSnapshot,
    PartnerQueueSnapshot,
    PartnerState,
    QueueCallEntry,
    StationEntry,
)
from visiorelais.calls.models import Call, CallEvent, PartnerQueue, StationPresence
from visiorelais.network.models import Kiosk, Partner, Station
from visiorelais.network.selectors import (
    kiosk_entitlements,
    partner_is_open,
    partner_next_opening,
    partner_window_end,
)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


# Accessors (STYLE.md 5): the only way a consumer or view reaches a call.


def call_get_for_agent(*, agent: User, call_id: int) -> Call:
    """The call `call_id` if it belongs to the agent's partner; CallNotFound otherwise (another
    partner's call and a call that does not exist look the same)."""
    if agent.role not in PARTNER_ROLES or not agent.partner_id:
        raise CallNotFound(f"call {call_id}")
    try:
        return Call.objects.select_related("kiosk", "partner", "topic", "station").get(
            pk=call_id, partner_id=agent.partner_id
        )
    except Call.DoesNotExist:
        raise CallNotFound(f"call {call_id}") from None


def call_get_for_kiosk(*, kiosk: Kiosk, call_id: int) -> Call:
    """The call `call_id` if this kiosk placed it; CallNotFound otherwise."""
    try:
        return Call.objects.select_related("kiosk", "partner", "topic", "station").get(pk=call_id, kiosk_id=kiosk.pk)
    except Call.DoesNotExist:
        raise CallNotFound(f"call {call_id}") from None


def kiosk_open_call(*, kiosk: Kiosk) -> Call | None:
    """The kiosk's call that has not ended, if any (there is at most one)."""
    return Call.objects.filter(kiosk=kiosk).exclude(status=Call.Status.ENDED).first()


# Staffing, queue and wait estimates.


def partner_staffed_count(*, partner_id: int) -> int:
    """Active stations of the partner with an agent seated (available, ringing, busy, wrap-up, paused)."""
    return StationPresence.objects.filter(
        station__partner_id=partner_id, station__active=True, state__in=StationPresence.STAFFED_STATES
    ).count()


def partner_waiting_calls(*, partner_id: int):
    """The partner's queue, head first: calls queued or ringing, appointments' calls (with a
    `reserved_station`) before walk-in calls, first come first served within each."""
    walk_in_last = Case(When(reserved_station__isnull=True, then=Value(1)), default=Value(0))
    return Call.objects.filter(partner_id=partner_id, status__in=Call.WAITING_STATUSES).order_by(
        walk_in_last, "queued_at", "pk"
    )


def call_queue_position(*, call: Call) -> int | None:
    """1 for the head of the partner's queue; None for a call that is not waiting. Appointments'
    calls count ahead of every walk-in call."""
    if call.status not in Call.WAITING_STATUSES:
        return None
    earlier = Q(queued_at__lt=call.queued_at) | Q(queued_at=call.queued_at, pk__lt=call.pk)
    waiting = partner_waiting_calls(partner_id=call.partner_id)
    if call.reserved_station_id is None:
        ahead = waiting.filter(earlier | Q(reserved_station__isnull=False))
    else:
        ahead = waiting.filter(earlier, reserved_station__isnull=False)
    return ahead.count() + 1


def partner_handle_seconds(*, partner_id: int) -> float:
    """Mean connected→ended duration of the partner's most recent completed calls, read from
    CallEvent rows; CALL_DEFAULT_HANDLE_SECONDS when it has none yet."""
    ended = list(
        CallEvent.objects.filter(
            call__partner_id=partner_id, kind=CallEvent.Kind.ENDED, detail__outcome=Call.Outcome.COMPLETED
        )
        .order_by("-at", "-pk")
        .values_list("call_id", "at")[: conf.handle_time_sample()]
    )
    if not ended:
        return float(conf.default_handle_seconds())
    connected = dict(
        CallEvent.objects.filter(
            call_id__in=[call_id for call_id, _ in ended], kind=CallEvent.Kind.CONNECTED
        ).values_list("call_id", "at")
    )
    durations = [(at - connected[call_id]).total_seconds() for call_id, at in ended if call_id in connected]
    if not durations:
        return float(conf.default_handle_seconds())
    return sum(durations) / len(durations)


def estimated_wait_seconds(
    *, partner_id: int, position: int, staffed: int | None = None, handle_seconds: float | None = None
) -> int | None:
    """Roughly position × handle time / staffed stations, in whole seconds, rounded up.

    None when no station is staffed (nobody will answer). `staffed` and `handle_seconds` may be
    passed in when the caller already has them.
    """
    if staffed is None:
        staffed = partner_staffed_count(partner_id=partner_id)
    if staffed <= 0:
        return None
    if handle_seconds is None:
        handle_seconds = partner_handle_seconds(partner_id=partner_id)
    return math.ceil(max(position, 0) * handle_seconds / staffed)


def partner_seq(*, partner_id: int) -> int:
    return PartnerQueue.objects.filter(partner_id=partner_id).values_list("seq", flat=True).first() or 0


def partner_state(*, partner: Partner, now: dt.datetime, seq: int | None = None) -> PartnerState:
    """The partner as kiosks see it at `now` (see events.PartnerState)."""
    if seq is None:
        seq = partner_seq(partner_id=partner.pk)
    state: PartnerState = {
        "partner_id": partner.pk,
        "seq": seq,
        "state": "closed",
        "closed_reason": "",
        "queue_length": 0,
        "estimated_wait_seconds": None,
        "next_opening": None,
    }
    if not partner_is_open(partner=partner, at=now):
        state["closed_reason"] = "closed"
        state["next_opening"] = _iso(partner_next_opening(partner=partner, after=now))
        return state
    staffed = partner_staffed_count(partner_id=partner.pk)
    if staffed == 0:
        state["closed_reason"] = "no_station_staffed"
        state["next_opening"] = _iso(partner_next_opening_after_this_window(partner=partner, now=now))
        return state
    waiting = partner_waiting_calls(partner_id=partner.pk).count()
    free = StationPresence.objects.filter(
        station__partner_id=partner.pk, station__active=True, state=StationPresence.State.AVAILABLE
    ).exists()
    state["queue_length"] = waiting
    if free and waiting == 0:
        state["state"] = "available"
        state["estimated_wait_seconds"] = 0
    else:
        state["state"] = "busy"
        state["estimated_wait_seconds"] = estimated_wait_seconds(
            partner_id=partner.pk, position=waiting + 1, staffed=staffed
        )
    return state


def partner_next_opening_after_this_window(*, partner: Partner, now: dt.datetime) -> dt.datetime | None:
    """When nobody is seated during a window: the opening after the current window, if any."""
    end = partner_window_end(partner=partner, at=now)
    return partner_next_opening(partner=partner, after=end or now)


# Entries shared by snapshots and events.


def kiosk_call_entry(*, call: Call, seq: int, handle_seconds: float | None = None) -> KioskCall:
    position = call_queue_position(call=call)
    wait = None
    if call.status == Call.Status.OFFERED:
        wait = 0
    elif call.status == Call.Status.QUEUED and position is not None:
        wait = estimated_wait_seconds(partner_id=call.partner_id, position=position, handle_seconds=handle_seconds)
    agent_name = ""
    if call.status == Call.Status.CONNECTED and call.agent_id:
        agent_name = call.agent.get_full_name() or call.agent.get_username()
    return {
        "call_id": call.pk,
        "partner_id": call.partner_id,
        "seq": seq,
        "status": call.status,
        "outcome": call.outcome,
        "end_reason": call.end_reason,
        "position": position,
        "estimated_wait_seconds": wait,
        "agent_name": agent_name,
        "station_id": call.station_id if call.status in Call.LIVE_STATUSES else None,
        "next_opening": _iso(call.next_opening),
    }


def queue_call_entry(*, call: Call) -> QueueCallEntry:
    return {
        "call_id": call.pk,
        "status": call.status,
        "kiosk_id": call.kiosk_id,
        "kiosk_code": call.kiosk.code,
        "site_name": call.kiosk.site.name,
        "commune": call.kiosk.site.commune,
        "topic": call.topic.label if call.topic_id else "",
        "queued_at": _iso(call.queued_at) or "",
        "station_id": call.station_id if call.status == Call.Status.OFFERED else None,
    }


def station_entry(*, station: Station, presence: StationPresence | None = None) -> StationEntry:
    if presence is None:
        presence = StationPresence.objects.filter(station=station).select_related("agent").first()
    live = None
    if presence is not None and presence.state in (StationPresence.State.RINGING, StationPresence.State.BUSY):
        live = Call.objects.filter(station=station, status__in=Call.LIVE_STATUSES).first()
    agent = presence.agent if presence else None
    return {
        "station_id": station.pk,
        "partner_id": station.partner_id,
        "label": station.label,
        "state": presence.state if presence else StationPresence.State.OFFLINE,
        "pause_reason": presence.pause_reason if presence else "",
        "agent_id": agent.pk if agent else None,
        "agent_name": (agent.get_full_name() or agent.get_username()) if agent else "",
        "since": _iso(presence.since) if presence else None,
        "call_id": live.pk if live else None,
        "ring_deadline": _iso(live.ring_deadline) if live and live.status == Call.Status.OFFERED else None,
    }


# Snapshots.


def kiosk_snapshot(*, kiosk: Kiosk, now: dt.datetime | None = None) -> KioskSnapshot:
    """What a kiosk screen starts from: the partners it reaches, each with its live state and seq
    (its `mode` says walk-in or appointment only), and the kiosk's own open call, if any."""
    now = now or timezone.now()
    partners: list[KioskPartnerEntry] = []
    for partner, mode in kiosk_entitlements(kiosk=kiosk):
        entry = {
            **partner_state(partner=partner, now=now),
            "short_name": partner.short_name,
            "name": partner.name,
            "colour": partner.colour,
            "mode": mode,
        }
        partners.append(entry)  # type: ignore[arg-type]
    call = kiosk_open_call(kiosk=kiosk)
    return {
        "kiosk_id": kiosk.pk,
        "at": now.isoformat(),
        "partners": partners,
        "call": kiosk_call_entry(call=call, seq=partner_seq(partner_id=call.partner_id)) if call else None,
    }


def partner_queue_snapshot(*, partner: Partner) -> PartnerQueueSnapshot:
    """What an agent console starts from: who waits (head first, from which kiosk and site, since
    when, ringing where) and the state of every active station of the partner."""
    calls = partner_waiting_calls(partner_id=partner.pk).select_related("kiosk__site", "topic")
    presences = {
        presence.station_id: presence
        for presence in StationPresence.objects.filter(station__partner=partner).select_related("agent")
    }
    stations = Station.objects.filter(partner=partner, active=True).order_by("label", "pk")
    return {
        "partner_id": partner.pk,
        "seq": partner_seq(partner_id=partner.pk),
        "calls": [queue_call_entry(call=call) for call in calls],
        "stations": [station_entry(station=station, presence=presences.get(station.pk)) for station in stations],
    }

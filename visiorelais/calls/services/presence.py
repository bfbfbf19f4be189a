"""Presence: agents seated at stations, and the heartbeats of consoles and kiosks.

A station's states: offline → available ⇄ paused; available → ringing → busy → wrap_up → available;
ringing → available (declined, offer cancelled) or paused (ring timeout). Every change appends a
StationEvent row. A console or kiosk silent for PRESENCE_TIMEOUT_SECONDS is taken out by
presence_expire, which a periodic task runs; either side of a connected call, after
IN_CALL_PRESENCE_TIMEOUT_SECONDS (60 s by default), so that a network cut of up to 30 s loses nothing.

What a silence does to a call. Station silent: a call ringing there goes back to the queue (an
`offer_cancelled` row, reason `station_gone`); a connected call ends as `failed`. Kiosk silent: a
waiting or ringing call ends as `abandoned` (reason `kiosk_gone`); a connected call ends as `failed`.
`failed`, not `abandoned`, for a connected call on either side: the resident did not choose to
leave, a link broke, and statistics must keep "people giving up in the queue" apart from
"technical loss mid-call". A network cut shorter than the timeout loses nothing.

A kiosk's going offline and coming back online each append a KioskPresenceEvent (kiosk uptime in statistics).
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from visiorelais.accounts.models import PARTNER_ROLES, User
from visiorelais.calls import conf
from visiorelais.calls.errors import IllegalTransition, NotAllowed
from visiorelais.calls.models import Call, CallEvent, KioskPresence, KioskPresenceEvent, StationPresence
from visiorelais.calls.services.call import abandon, end_connected
from visiorelais.calls.services.dispatch import PartnerChange, kiosk_seen, partner_change
from visiorelais.network.models import Kiosk, Station

State = StationPresence.State


def _partner_id(agent: User) -> int:
    if agent.role not in PARTNER_ROLES or not agent.partner_id:
        raise NotAllowed("not a partner agent")
    return agent.partner_id


def _seated_presence(agent: User) -> StationPresence:
    presence = StationPresence.objects.select_for_update().filter(agent=agent).first()
    if presence is None:
        raise IllegalTransition("the agent holds no station", code="no_station")
    return presence


def station_take(*, agent: User, station_id: int, now: dt.datetime | None = None) -> StationPresence:
    """The agent sits at one of their own partner's active stations.

    Allowed: offline → available (the idle clock starts). Taking again the station one already
    holds only refreshes the heartbeat (a console that reconnected). NotAllowed for a station of
    another partner, an inactive one, or a person who is not a partner agent; IllegalTransition
    (`station_taken`) when another agent holds it, (`agent_seated`) when the agent holds another.
    """
    station = Station.objects.filter(pk=station_id, partner_id=_partner_id(agent), active=True).first()
    if station is None:
        raise NotAllowed("not a station of the agent's partner")
    with partner_change(station.partner_id, now) as change:
        StationPresence.objects.bulk_create([StationPresence(station=station, since=change.now)], ignore_conflicts=True)
        presence = StationPresence.objects.select_for_update().get(station=station)
        elsewhere = StationPresence.objects.filter(agent=agent).exclude(station=station).exists()
        if elsewhere:
            raise IllegalTransition("the agent already holds a station", code="agent_seated")
        if presence.state != State.OFFLINE:
            if presence.agent_id != agent.pk:
                raise IllegalTransition("another agent holds this station", code="station_taken")
            presence.last_heartbeat = change.now
            presence.save(update_fields=["last_heartbeat"])
            return presence
        presence.last_heartbeat = change.now
        change.set_station(presence, State.AVAILABLE, reason="taken", agent=agent, idle=True)
    presence.refresh_from_db()
    return presence


def station_set_available(*, agent: User, now: dt.datetime | None = None) -> StationPresence:
    """The agent is ready for the next call.

    Allowed: paused → available, wrap_up → available (the idle clock restarts: the station joins
    the back of the longest-idle order). Available → available is a no-op.
    """
    with partner_change(_partner_id(agent), now) as change:
        presence = _seated_presence(agent)
        if presence.state == State.AVAILABLE:
            return presence
        if presence.state not in (State.PAUSED, State.WRAP_UP):
            raise IllegalTransition(f"station is {presence.state}")
        change.set_station(presence, State.AVAILABLE, reason="ready", idle=True)
    return presence


def station_pause(
    *, agent: User, reason: str = StationPresence.PauseReason.AGENT, now: dt.datetime | None = None
) -> StationPresence:
    """The agent steps away without leaving the station (it still counts as staffed).

    Allowed: available → paused, wrap_up → paused, paused → paused (the reason is updated). Not while
    ringing (decline first) or busy.
    """
    if reason not in StationPresence.PauseReason.values:
        raise ValueError(f"unknown pause reason {reason!r}")
    with partner_change(_partner_id(agent), now) as change:
        presence = _seated_presence(agent)
        if presence.state not in (State.AVAILABLE, State.WRAP_UP, State.PAUSED):
            raise IllegalTransition(f"station is {presence.state}")
        change.set_station(presence, State.PAUSED, pause_reason=reason)
    return presence


def station_leave(*, agent: User, now: dt.datetime | None = None) -> StationPresence:
    """The agent leaves the station (end of duty).

    Allowed: available, paused, wrap_up → offline; ringing → offline, the call going back to the
    queue. Not while busy: hang up first. When this was the partner's last seated agent, its waiting
    calls end as `unanswered`.
    """
    with partner_change(_partner_id(agent), now) as change:
        presence = _seated_presence(agent)
        if presence.state == State.BUSY:
            raise IllegalTransition("hang up before leaving the station", code="busy")
        _take_offline(change, presence, reason="left")
    return presence


def _take_offline(change: PartnerChange, presence: StationPresence, *, reason: str) -> None:
    live = (
        Call.objects.select_for_update().filter(station_id=presence.station_id, status__in=Call.LIVE_STATUSES).first()
    )
    if live is not None and live.status == Call.Status.OFFERED:
        change.release_offer(live, CallEvent.Kind.OFFER_CANCELLED, reason="station_gone")
    elif live is not None:
        end_connected(change, live, Call.Outcome.FAILED, reason="station_gone", station_gone=True)
    change.set_station(presence, State.OFFLINE, reason=reason, call=live)


def presence_heartbeat(
    *, kiosk: Kiosk | None = None, agent: User | None = None, now: dt.datetime | None = None
) -> bool:
    """Records a sign of life from a kiosk or from an agent's console (exactly one of them).

    Returns False for an agent who holds no station (taken out meanwhile: the console must take a
    station again). A kiosk is always recorded, and is online again from then on.
    """
    if (kiosk is None) == (agent is None):
        raise ValueError("presence_heartbeat needs exactly one of kiosk or agent")
    now = now or timezone.now()
    if agent is not None:
        return StationPresence.objects.filter(agent=agent).exclude(state=State.OFFLINE).update(last_heartbeat=now) > 0
    kiosk_seen(kiosk_id=kiosk.pk, now=now)
    return True


def presence_expire(*, now: dt.datetime | None = None) -> dict[str, list[int]]:
    """Takes out every console and kiosk silent for PRESENCE_TIMEOUT_SECONDS (see the module docstring
    for what happens to their calls). Returns the ids taken out: {"stations": [...], "kiosks": [...]}.
    Safe to run from several processes: each item is re-checked under the partner lock."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=conf.presence_timeout_seconds())
    # Either side of a connected call gets longer: a cut of its network of up to 30 s must lose nothing, and the
    # last heartbeat before the cut (10 s earlier at most) and the reconnection's backoff both eat into the delay.
    in_call_cutoff = now - dt.timedelta(seconds=conf.in_call_presence_timeout_seconds())
    expired: dict[str, list[int]] = {"stations": [], "kiosks": []}

    stale_stations = (
        StationPresence.objects.exclude(state=State.OFFLINE)
        .filter(last_heartbeat__lt=cutoff)
        .values_list("station_id", "station__partner_id", "state", "last_heartbeat")
    )
    for station_id, partner_id, state, last_heartbeat in list(stale_stations):
        if state == State.BUSY and last_heartbeat >= in_call_cutoff:
            # Skipped before taking the lock: a change that changes nothing would still bump the partner's seq.
            continue
        with partner_change(partner_id, now) as change:
            presence = StationPresence.objects.select_for_update().get(station_id=station_id)
            limit = in_call_cutoff if presence.state == State.BUSY else cutoff
            if presence.state == State.OFFLINE or presence.last_heartbeat >= limit:
                continue
            _take_offline(change, presence, reason="heartbeat_lost")
            expired["stations"].append(station_id)

    stale_kiosks = KioskPresence.objects.filter(online=True, last_heartbeat__lt=cutoff).values_list(
        "kiosk_id", "last_heartbeat"
    )
    for kiosk_id, last_heartbeat in list(stale_kiosks):
        call = Call.objects.filter(kiosk_id=kiosk_id).exclude(status=Call.Status.ENDED).first()
        if call is not None and call.status == Call.Status.CONNECTED and last_heartbeat >= in_call_cutoff:
            continue
        if call is None:
            with transaction.atomic():
                kiosk_presence = (
                    KioskPresence.objects.select_for_update().filter(kiosk_id=kiosk_id, online=True).first()
                )
                if kiosk_presence is not None and kiosk_presence.last_heartbeat < cutoff:
                    kiosk_presence.online = False
                    kiosk_presence.save(update_fields=["online"])
                    KioskPresenceEvent.objects.create(kiosk_id=kiosk_id, online=False, at=kiosk_presence.last_heartbeat)
                    expired["kiosks"].append(kiosk_id)
            continue
        with partner_change(call.partner_id, now) as change:
            kiosk_presence = KioskPresence.objects.select_for_update().get(kiosk_id=kiosk_id)
            call = Call.objects.select_for_update().get(pk=call.pk)
            limit = in_call_cutoff if call.status == Call.Status.CONNECTED else cutoff
            if kiosk_presence.last_heartbeat >= limit:
                continue
            kiosk_presence.online = False
            kiosk_presence.save(update_fields=["online"])
            KioskPresenceEvent.objects.create(kiosk_id=kiosk_id, online=False, at=kiosk_presence.last_heartbeat)
            expired["kiosks"].append(kiosk_id)
            if call.status in Call.WAITING_STATUSES:
                abandon(change, call, reason="kiosk_gone")
            elif call.status == Call.Status.CONNECTED:
                end_connected(change, call, Call.Outcome.FAILED, reason="kiosk_gone")
    return expired

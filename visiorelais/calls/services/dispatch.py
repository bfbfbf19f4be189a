"""The partner lock, routing, and the moves shared by the call and presence services.

Every change that concerns a partner's queue or stations runs inside `partner_change`: one
transaction that first locks the partner's PartnerQueue row (`select_for_update`). All routing of
one partner is therefore serialised across server processes on PostgreSQL; on SQLite the
IMMEDIATE transactions serialise every writer anyway. Inside the lock, rows are re-read, so a
service never acts on a stale status. On leaving the block the change sweeps and routes (see
`PartnerChange.finish`), bumps the partner's seq once, and publishes its events after commit.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.utils import timezone

from visiorelais.accounts.models import User
from visiorelais.calls import conf
from visiorelais.calls.events import (
    QueueOp,
    group_for_kiosk,
    group_for_partner,
    group_for_partner_kiosks,
    group_for_station,
    publish_on_commit,
)
from visiorelais.calls.models import (
    Call,
    CallEvent,
    KioskPresence,
    KioskPresenceEvent,
    PartnerQueue,
    StationEvent,
    StationPresence,
)
from visiorelais.calls.selectors import (
    kiosk_call_entry,
    partner_handle_seconds,
    partner_state,
    partner_waiting_calls,
    queue_call_entry,
    station_entry,
)
from visiorelais.network.models import Partner, Station

State = StationPresence.State


class PartnerChange:
    """One locked change of a partner's queue and stations. Use through `partner_change`."""

    def __init__(self, partner_id: int, now: dt.datetime | None):
        PartnerQueue.objects.bulk_create([PartnerQueue(partner_id=partner_id)], ignore_conflicts=True)
        self.queue = PartnerQueue.objects.select_for_update().get(partner_id=partner_id)
        # Read the clock once the lock is held, so that queue times follow the order of the queue.
        self.now = now or timezone.now()
        self.partner_id = partner_id
        self.call_ids: set[int] = set()
        self.station_ids: set[int] = set()
        self.offers: list[tuple[int, int]] = []

    def touch_call(self, call: Call) -> None:
        self.call_ids.add(call.pk)

    def touch_station(self, station_id: int) -> None:
        self.station_ids.add(station_id)

    # Moves. Each writes its CallEvent / StationEvent rows; callers hold the lock.

    def call_event(self, call: Call, kind: str, *, station_id=None, agent_id=None, **detail) -> None:
        CallEvent.objects.create(
            call=call, kind=kind, at=self.now, station_id=station_id, agent_id=agent_id, detail=detail
        )
        self.touch_call(call)

    def set_station(
        self,
        presence: StationPresence,
        state: str,
        *,
        reason: str = "",
        pause_reason: str = "",
        call: Call | None = None,
        agent: User | None = None,
        idle: bool = False,
    ) -> None:
        """Moves a station to `state` and appends its StationEvent. `agent` seats that agent; going
        offline unseats; `idle=True` restarts the idle clock (the station joins the back of the idle order)."""
        if agent is not None:
            presence.agent = agent
        # The StationEvent names the agent concerned, also the one who is leaving.
        agent_id = presence.agent_id
        presence.state = state
        presence.pause_reason = pause_reason
        presence.since = self.now
        if idle:
            presence.idle_since = self.now
        if state == State.OFFLINE:
            presence.idle_since = None
            presence.agent = None
        presence.save()
        StationEvent.objects.create(
            station_id=presence.station_id,
            state=state,
            reason=reason or pause_reason,
            agent_id=agent_id,
            call=call,
            at=self.now,
        )
        self.touch_station(presence.station_id)

    def offer(self, call: Call, presence: StationPresence) -> None:
        """queued → offered to `presence`'s station, which starts ringing."""
        call.status = Call.Status.OFFERED
        call.station_id = presence.station_id
        call.offered_at = self.now
        call.ring_deadline = self.now + dt.timedelta(seconds=conf.ring_timeout_seconds())
        call.save()
        self.set_station(presence, State.RINGING, reason="offered", call=call)
        self.call_event(
            call,
            CallEvent.Kind.OFFERED,
            station_id=presence.station_id,
            agent_id=presence.agent_id,
            ring_deadline=call.ring_deadline.isoformat(),
        )

    def release_offer(self, call: Call, kind: str, **detail) -> StationPresence | None:
        """Ends the current offer of a ringing call with its result row (`declined`, `ring_timeout`,
        `offer_cancelled`), sends the call back to the queue, where it keeps its place (the head),
        and returns the station's presence, still ringing: the caller says what the station does next."""
        presence = StationPresence.objects.select_for_update().filter(station_id=call.station_id).first()
        self.call_event(
            call,
            kind,
            station_id=call.station_id,
            agent_id=presence.agent_id if presence else None,
            **detail,
        )
        call.status = Call.Status.QUEUED
        call.station = None
        call.offered_at = None
        call.ring_deadline = None
        call.save()
        return presence

    def end(self, call: Call, outcome: str, *, reason: str, next_opening=None, agent_id=None) -> None:
        """→ ended with `outcome`. A station still linked to the call is left to the caller."""
        call.status = Call.Status.ENDED
        call.outcome = outcome
        call.end_reason = reason
        call.ended_at = self.now
        call.ring_deadline = None
        call.next_opening = next_opening
        call.save()
        detail = {"outcome": outcome, "reason": reason}
        if next_opening:
            detail["next_opening"] = next_opening.isoformat()
        self.call_event(
            call,
            CallEvent.Kind.ENDED,
            station_id=call.station_id if call.connected_at else None,
            agent_id=agent_id or call.agent_id,
            **detail,
        )

    # Sweeping and routing.

    def _sweep_unstaffed(self) -> None:
        """When the partner's last seated agent has gone, nobody will answer the queue: its calls
        end as unanswered (reason no_station_staffed) rather than wait for nobody."""
        staffed = StationPresence.objects.filter(
            station__partner_id=self.partner_id, station__active=True, state__in=StationPresence.STAFFED_STATES
        ).exists()
        if staffed:
            return
        for call in partner_waiting_calls(partner_id=self.partner_id).select_for_update():
            self.end(call, Call.Outcome.UNANSWERED, reason="no_station_staffed")

    def route(self) -> list[tuple[int, int]]:
        """Offers queued calls to available stations: the longest-idle station takes the first call
        of the queue it has not declined. An appointment's call (`reserved_station`) comes before every
        walk-in call, and is offered to its reserved station only. Returns the (call id, station id)
        pairs offered."""
        stations = list(
            StationPresence.objects.select_for_update()
            .filter(station__partner_id=self.partner_id, station__active=True, state=State.AVAILABLE)
            .order_by("idle_since", "station_id")
        )
        if not stations:
            return []
        queued = list(
            partner_waiting_calls(partner_id=self.partner_id).filter(status=Call.Status.QUEUED).select_for_update()
        )
        declined = set(
            CallEvent.objects.filter(call__in=[call.pk for call in queued], kind=CallEvent.Kind.DECLINED).values_list(
                "call_id", "station_id"
            )
        )
        offers = []
        for presence in stations:
            for call in queued:
                if (call.pk, presence.station_id) in declined:
                    continue
                if call.reserved_station_id not in (None, presence.station_id):
                    continue
                self.offer(call, presence)
                queued.remove(call)
                offers.append((call.pk, presence.station_id))
                break
        return offers

    def finish(self) -> None:
        self._sweep_unstaffed()
        self.offers = self.route()
        self.queue.seq += 1
        self.queue.save(update_fields=["seq"])
        self._publish()

    def _publish(self) -> None:
        seq = self.queue.seq
        partner = Partner.objects.get(pk=self.partner_id)
        publish_on_commit(
            group_for_partner_kiosks(self.partner_id),
            "partner.state",
            dict(partner_state(partner=partner, now=self.now, seq=seq)),
        )
        touched = {
            call.pk: call
            for call in Call.objects.filter(pk__in=self.call_ids).select_related("kiosk__site", "topic", "agent")
        }
        ops: list[QueueOp] = []
        for call_id in sorted(touched):
            call = touched[call_id]
            if call.status in Call.WAITING_STATUSES:
                ops.append({"op": "call.upsert", "call": queue_call_entry(call=call)})
            else:
                ops.append({"op": "call.remove", "call_id": call_id})
        for station in Station.objects.filter(pk__in=self.station_ids).order_by("pk"):
            entry = station_entry(station=station)
            if station.active:
                ops.append({"op": "station.upsert", "station": entry})
            publish_on_commit(group_for_station(station.pk), "station.state", {**entry, "seq": seq})
        publish_on_commit(
            group_for_partner(self.partner_id),
            "queue.changed",
            {"partner_id": self.partner_id, "seq": seq, "ops": ops},
        )
        # Every waiting kiosk hears its new position; the kiosks whose call changed hear the change.
        handle = partner_handle_seconds(partner_id=self.partner_id)
        waiting = {call.pk: call for call in partner_waiting_calls(partner_id=self.partner_id)}
        for call in {**waiting, **touched}.values():
            publish_on_commit(
                group_for_kiosk(call.kiosk_id),
                "kiosk.call",
                dict(kiosk_call_entry(call=call, seq=seq, handle_seconds=handle)),
            )


def kiosk_seen(*, kiosk_id: int, now: dt.datetime) -> None:
    """A sign of life of a kiosk: moves its KioskPresence on, online; appends a KioskPresenceEvent
    (online) when it was offline or had never been seen. Atomic; safe against a concurrent sign of life."""
    with transaction.atomic():
        if KioskPresence.objects.filter(kiosk_id=kiosk_id, online=False).update(last_heartbeat=now, online=True):
            KioskPresenceEvent.objects.create(kiosk_id=kiosk_id, online=True, at=now)
            return
        if KioskPresence.objects.filter(kiosk_id=kiosk_id).update(last_heartbeat=now):
            return
        try:
            with transaction.atomic():
                KioskPresence.objects.create(kiosk_id=kiosk_id, last_heartbeat=now, online=True)
        except IntegrityError:
            # Created by a concurrent sign of life of the same kiosk, which wrote the online row.
            KioskPresence.objects.filter(kiosk_id=kiosk_id).update(last_heartbeat=now, online=True)
            return
        KioskPresenceEvent.objects.create(kiosk_id=kiosk_id, online=True, at=now)


@contextmanager
def partner_change(partner_id: int, now: dt.datetime | None = None) -> Iterator[PartnerChange]:
    """Runs a change of one partner's queue or stations in one locked transaction, then sweeps,
    routes, bumps the seq and publishes after commit. An exception rolls everything back and
    publishes nothing."""
    with transaction.atomic():
        change = PartnerChange(partner_id, now)
        yield change
        change.finish()


def queue_dispatch(*, partner_id: int, now: dt.datetime | None = None) -> list[tuple[int, int]]:
    """Routes the partner's queue now and returns the (call id, station id) pairs offered. The
    services already route after each change; this is for callers that changed something outside
    them (a station re-activated in the admin)."""
    with partner_change(partner_id, now) as change:
        pass
    return change.offers

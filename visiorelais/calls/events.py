"""Real-time events of the live call: group names, typed payloads, and the one publishing function.

Clients take a snapshot (calls/selectors.py), then apply deltas; a client that lost its place takes
a fresh snapshot. Groups only broadcast: the database is the record.

Sequence numbers. Every committed change that concerns a partner bumps that partner's `seq` once
(`PartnerQueue.seq`) and every event it emits carries that `seq` and `partner_id`. Per group:

- `partner.state`  → group_for_partner_kiosks(p), exactly one per seq: apply when `seq == last + 1`;
  `seq <= last` is already in your snapshot; `seq > last + 1` means a gap → take a fresh snapshot.
- `queue.changed` → group_for_partner(p) (agent consoles), exactly one per seq, same rule; its `ops`
  are applied in order (`call.upsert`, `call.remove`, `station.upsert`).
- `kiosk.call`     → group_for_kiosk(k): the kiosk's own call, a full replacement (idempotent); apply
  when `seq` is greater than the seq of the kiosk snapshot. `status == "ended"` closes it.
- `station.state`  → group_for_station(s): the station's own entry (rings the console when
  `state == "ringing"`, says why when paused), a full replacement.

A partner opening or closing by the clock emits nothing: clients refresh their snapshot at the
`next_opening` they were given, or when their own clock passes a service window's end.

Channel-layer messages are `{"type": "visiorelais.event", "event": <type>, "payload": {...}}`,
so a consumer handles them in `visiorelais_event`. Payloads hold only JSON types (times are ISO 8601).
"""

from typing import Literal, NotRequired, TypedDict

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

EventType = Literal[
    "partner.state",
    "queue.changed",
    "kiosk.call",
    "station.state",
    "credentials.revoked",
    "session.ended",
    "callbacks.changed",
]
MESSAGE_TYPE = "visiorelais.event"


def group_for_kiosk(kiosk_id: int) -> str:
    return f"kiosk.{kiosk_id}"


def group_for_partner(partner_id: int) -> str:
    """The partner's agent consoles."""
    return f"partner.{partner_id}"


def group_for_partner_kiosks(partner_id: int) -> str:
    """The kiosks entitled to the partner: joined by each process's kiosk fan-out (calls/consumers/fanout.py)."""
    return f"partner.{partner_id}.kiosks"


def group_for_session(session_key: str) -> str:
    """The sockets opened with one login session (closed when it logs out)."""
    return f"session.{session_key}"


def group_for_station(station_id: int) -> str:
    return f"station.{station_id}"


class PartnerState(TypedDict):
    """A partner as a kiosk sees it, at `seq`. `state`: available (a station is free and nobody
    waits), busy (people wait or every station is busy), closed (nobody can answer now:
    `closed_reason` is "closed" outside service windows or "no_station_staffed")."""

    partner_id: int
    seq: int
    state: Literal["available", "busy", "closed"]
    closed_reason: str
    queue_length: int
    estimated_wait_seconds: int | None
    next_opening: str | None


class KioskPartnerEntry(PartnerState):
    """A line of the kiosk snapshot: the live state plus what does not change with calls."""

    short_name: str
    name: str
    colour: str
    mode: str  # network.Entitlement.Mode: walk_in or appointment_only


class KioskCall(TypedDict):
    call_id: int
    partner_id: int
    seq: int
    status: str
    outcome: str
    end_reason: str
    position: int | None
    estimated_wait_seconds: int | None
    agent_name: str
    station_id: int | None
    next_opening: str | None


class QueueCallEntry(TypedDict):
    """A waiting call as the agent console shows it; consoles order them by (queued_at, call_id)."""

    call_id: int
    status: str
    kiosk_id: int
    kiosk_code: str
    site_name: str
    commune: str
    topic: str
    queued_at: str
    station_id: int | None


class StationEntry(TypedDict):
    station_id: int
    partner_id: int
    seq: NotRequired[int]
    label: str
    state: str
    pause_reason: str
    agent_id: int | None
    agent_name: str
    since: str | None
    call_id: int | None
    ring_deadline: str | None


class QueueOp(TypedDict):
    op: Literal["call.upsert", "call.remove", "station.upsert"]
    call: NotRequired[QueueCallEntry]
    call_id: NotRequired[int]
    station: NotRequired[StationEntry]


class QueueChanged(TypedDict):
    partner_id: int
    seq: int
    ops: list[QueueOp]


class PartnerQueueSnapshot(TypedDict):
    partner_id: int
    seq: int
    calls: list[QueueCallEntry]
    stations: list[StationEntry]


class KioskSnapshot(TypedDict):
    kiosk_id: int
    at: str
    partners: list[KioskPartnerEntry]
    call: KioskCall | None


def publish_on_commit(group: str, event_type: EventType, payload: dict) -> None:
    """Sends `payload` to `group` once the current transaction commits (at once outside one).

    A rolled-back change publishes nothing. Delivery is at most once: a lost event shows as a gap
    in `seq`, and the client takes a fresh snapshot.
    """
    message = {"type": MESSAGE_TYPE, "event": event_type, "payload": payload}

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(group, message)

    transaction.on_commit(send)

"""One call's fact from its CallEvent rows: the outcome by ordered rules, the waits and the offers.

The rules, in order; the first that matches gives the call its one outcome:

1. failed — the call ended with outcome `failed` (a technical loss: media could not be restored, or either
   side fell silent while connected). Comes first: a broken call is not a completed one, even if answered.
2. unavailable — the call ended `unavailable` at the request: `unavailable_closed` (reason `closed`, outside
   the service windows) or `unavailable_unstaffed` (no station staffed).
3. completed — the call was connected (an offer was accepted) and ended otherwise.
4. abandoned — the resident gave up, or the kiosk fell silent, before an answer: `abandoned_short` when the
   wait was under STATS_SHORT_ABANDON_SECONDS, else `abandoned`.
5. declined — every staffed station declined it (`declined_by_all`).
6. unanswered — any other end before an answer (the last staffed station left while it waited).

A call with no `ended` row yet is `open` and counts in no rate. Per-offer results are counted apart: every
`offered` row is followed by one `accepted`, `declined`, `ring_timeout` or `offer_cancelled` row.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from visiorelais.statistics.models import CallFact
from visiorelais.statistics.periods import PARIS

Outcome = CallFact.Outcome


@dataclass
class EventRow:
    """The columns of a CallEvent that the facts read."""

    id: int
    kind: str
    at: dt.datetime
    station_id: int | None = None
    agent_id: int | None = None
    detail: dict = field(default_factory=dict)


def outcome_of(*, ended: EventRow | None, connected: bool, wait_seconds: float | None, short_abandon: float) -> str:
    """The ordered rules of the module docstring."""
    if ended is None:
        return Outcome.OPEN
    outcome = ended.detail.get("outcome", "")
    if outcome == "failed":
        return Outcome.FAILED
    if outcome == "unavailable":
        return Outcome.UNAVAILABLE_CLOSED if ended.detail.get("reason") == "closed" else Outcome.UNAVAILABLE_UNSTAFFED
    if connected:
        return Outcome.COMPLETED
    if outcome == "abandoned":
        short = wait_seconds is not None and wait_seconds < short_abandon
        return Outcome.ABANDONED_SHORT if short else Outcome.ABANDONED
    if outcome == "declined_by_all":
        return Outcome.DECLINED
    return Outcome.UNANSWERED


def fact_from_events(
    call_id: int, events: Iterable[EventRow], *, short_abandon: float, wrap_up_seconds: float | None = None
) -> CallFact | None:
    """The CallFact of one call from its events (any order), or None without a `requested` row."""
    rows = sorted(events, key=lambda row: (row.at, row.id))
    requested = next((row for row in rows if row.kind == "requested"), None)
    if requested is None:
        return None
    first = {}
    counts = {"offered": 0, "accepted": 0, "declined": 0, "ring_timeout": 0, "offer_cancelled": 0}
    for row in rows:
        first.setdefault(row.kind, row)
        if row.kind in counts:
            counts[row.kind] += 1
    connected, ended, rated = first.get("connected"), first.get("ended"), first.get("rated")

    def seconds(later: EventRow | None) -> float | None:
        return None if later is None else (later.at - requested.at).total_seconds()

    wait = seconds(connected) if connected else seconds(ended)
    talk = (ended.at - connected.at).total_seconds() if connected and ended else None
    local = requested.at.astimezone(PARIS)
    day = local.date()
    detail = requested.detail
    return CallFact(
        call_id=call_id,
        partner_id=detail["partner_id"],
        kiosk_id=detail["kiosk_id"],
        site_id=detail["site_id"],
        topic_id=detail.get("topic_id"),
        appointment=bool(detail.get("reserved_station_id")),
        requested_at=requested.at,
        day=day,
        week=day - dt.timedelta(days=day.weekday()),
        month=day.replace(day=1),
        hour_of_week=day.weekday() * 24 + local.hour,
        ended_at=ended.at if ended else None,
        outcome=outcome_of(
            ended=ended, connected=connected is not None, wait_seconds=wait, short_abandon=short_abandon
        ),
        end_reason=ended.detail.get("reason", "") if ended else "",
        answered=connected is not None,
        wait_seconds=wait,
        talk_seconds=talk,
        wrap_up_seconds=wrap_up_seconds if connected else None,
        offers=counts["offered"],
        offers_accepted=counts["accepted"],
        offers_declined=counts["declined"],
        offers_timed_out=counts["ring_timeout"],
        offers_cancelled=counts["offer_cancelled"],
        rating=rated.detail.get("rating") if rated else None,
        station_id=connected.station_id if connected else None,
        agent_id=connected.agent_id if connected else None,
        last_event_id=max(row.id for row in rows),
    )

"""Changes of the derived tables: rebuild CallFact and StationInterval from the event record.

Both refreshes are idempotent (running one twice writes the same rows) and incremental: by default they read
only what the record gained since the last run, plus what may still change (calls not over, or over for less
than RECENT_WINDOW: a rating or the end of a wrap-up can still come). `since` re-reads everything from a date.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.db.models import Max, Q
from django.utils import timezone

from visiorelais.calls.models import Call, CallEvent, StationEvent
from visiorelais.network.models import Station
from visiorelais.statistics import conf
from visiorelais.statistics.models import CallFact, StationInterval, StatisticsRefresh
from visiorelais.statistics.outcomes import EventRow, fact_from_events

BATCH = 2000
RECENT_WINDOW = dt.timedelta(days=1)
# StatisticsRefresh rows older than this go: the screens only need the newest.
REFRESH_LOG_KEPT = dt.timedelta(days=7)
# Any fixed 64-bit number naming the refresh's PostgreSQL advisory lock.
REFRESH_LOCK_KEY = 0x56524C5354415453
FACT_FIELDS = [field.name for field in CallFact._meta.concrete_fields if not field.primary_key]


@dataclass
class RefreshResult:
    calls: int
    station_intervals: int


def _adapter(field: models.Field) -> Callable[[object], object]:
    """The database value of one column: what get_db_prep_save gives, without its per-value overhead."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return lambda value: None if value is None else ops.adapt_datetimefield_value(value)
    if isinstance(field, models.DateField):
        return lambda value: None if value is None else ops.adapt_datefield_value(value)
    if isinstance(field, models.JSONField):
        return lambda value: None if value is None else ops.adapt_json_value(value, field.encoder)
    return lambda value: value


def rows_insert(objs: list[models.Model], *, conflict: str | None = None) -> None:
    """Inserts model instances with one executemany per batch: far faster than bulk_create on SQLite, whose
    999-parameter limit splits a batch into hundreds of statements. With `conflict` (a unique column), a row
    that exists is updated instead (INSERT … ON CONFLICT … DO UPDATE, on SQLite and PostgreSQL alike)."""
    if not objs:
        return
    meta = objs[0]._meta
    fields = [field for field in meta.concrete_fields if not (field.primary_key and field.name == "id")]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    # Identifiers come from the models and are quoted by the backend; every value is a parameter.
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
    if conflict:
        updates = ", ".join(
            f"{quote(field.column)} = excluded.{quote(field.column)}" for field in fields if field.column != conflict
        )
        sql += f" ON CONFLICT ({quote(conflict)}) DO UPDATE SET {updates}"
    adapters = [(field.attname, _adapter(field)) for field in fields]
    with connection.cursor() as cursor:
        for start in range(0, len(objs), BATCH * 5):
            batch = objs[start : start + BATCH * 5]
            cursor.executemany(sql, [[adapt(getattr(obj, name)) for name, adapt in adapters] for obj in batch])


def _chunks(ids: list[int], size: int = BATCH) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def station_intervals_refresh(*, since: dt.datetime | None = None) -> int:
    """Rebuilds the StationInterval rows of every station from its StationEvent rows; returns how many rows
    were written. Each station is re-read from its last (open) interval, or with `since`, from its last
    event before `since`."""
    written = 0
    for station_id, partner_id in Station.objects.values_list("pk", "partner_id"):
        events = StationEvent.objects.filter(station_id=station_id)
        if since is not None:
            anchor = events.filter(at__lt=since).order_by("-at", "-id").values_list("at", "id").first()
        else:
            anchor = (
                StationInterval.objects.filter(station_id=station_id)
                .order_by("-start", "-start_event_id")
                .values_list("start", "start_event_id")
                .first()
            )
        if anchor is not None:
            at, event_id = anchor
            events = events.filter(Q(at__gt=at) | Q(at=at, id__gte=event_id))
        rows = list(events.order_by("at", "id").values_list("id", "state", "reason", "call_id", "agent_id", "at"))
        if not rows:
            continue
        intervals = [
            StationInterval(
                station_id=station_id,
                partner_id=partner_id,
                state=state,
                reason=reason,
                call_id=call_id,
                agent_id=agent_id,
                start=at,
                end=rows[index + 1][5] if index + 1 < len(rows) else None,
                start_event_id=event_id,
            )
            for index, (event_id, state, reason, call_id, agent_id, at) in enumerate(rows)
        ]
        with transaction.atomic():
            # Intervals after the anchor that no event supports any more (a rebuilt record) go.
            first_id, first_at = rows[0][0], rows[0][5]
            StationInterval.objects.filter(station_id=station_id).filter(
                Q(start__gt=first_at) | Q(start=first_at, start_event_id__gte=first_id)
            ).exclude(start_event_id__in=[row[0] for row in rows]).delete()
            rows_insert(intervals, conflict="start_event_id")
        written += len(intervals)
    return written


def _call_ids_to_refresh(since: dt.datetime | None, now: dt.datetime) -> list[int]:
    if since is not None:
        touched = set(CallEvent.objects.filter(at__gte=since).values_list("call_id", flat=True).distinct())
        touched |= set(
            StationInterval.objects.filter(state="wrap_up", end__gte=since, call_id__isnull=False).values_list(
                "call_id", flat=True
            )
        )
        return sorted(touched)
    watermark = CallFact.objects.aggregate(last=Max("last_event_id"))["last"]
    if watermark is None:
        return sorted(Call.objects.values_list("pk", flat=True))
    touched = set(CallEvent.objects.filter(id__gt=watermark).values_list("call_id", flat=True).distinct())
    touched |= set(
        CallFact.objects.filter(Q(outcome=CallFact.Outcome.OPEN) | Q(ended_at__gte=now - RECENT_WINDOW)).values_list(
            "call_id", flat=True
        )
    )
    return sorted(touched)


def _facts(call_ids: list[int], short_abandon: float) -> Iterable[CallFact]:
    events: dict[int, list[EventRow]] = defaultdict(list)
    rows = CallEvent.objects.filter(call_id__in=call_ids).values_list(
        "call_id", "id", "kind", "at", "station_id", "agent_id", "detail"
    )
    for call_id, event_id, kind, at, station_id, agent_id, detail in rows:
        events[call_id].append(EventRow(event_id, kind, at, station_id, agent_id, detail or {}))
    wrap_ups = {
        call_id: (end - start).total_seconds()
        for call_id, start, end in StationInterval.objects.filter(
            call_id__in=call_ids, state="wrap_up", end__isnull=False
        ).values_list("call_id", "start", "end")
    }
    for call_id in call_ids:
        fact = fact_from_events(
            call_id, events.get(call_id, []), short_abandon=short_abandon, wrap_up_seconds=wrap_ups.get(call_id)
        )
        if fact is not None:
            yield fact


def call_facts_refresh(*, since: dt.datetime | None = None, full: bool = False) -> RefreshResult:
    """Brings CallFact (and StationInterval first, which gives the wrap-up times) up to the event record.

    Default: incremental (the calls with events newer than the newest read, plus the calls not over or over
    for less than a day). `since`: every call with an event at or after it. `full`: drops both tables and
    rebuilds them (needed after a change of STATS_SHORT_ABANDON_SECONDS, which the stored outcome depends on).
    Returns how many calls and station intervals were (re)written.
    """
    now = timezone.now()
    if full:
        with transaction.atomic():
            CallFact.objects.all().delete()
            StationInterval.objects.all().delete()
    intervals = station_intervals_refresh(since=since)
    short_abandon = conf.short_abandon_seconds()
    call_ids = _call_ids_to_refresh(since, now)
    for chunk in _chunks(call_ids):
        facts = list(_facts(chunk, short_abandon))
        with transaction.atomic():
            rows_insert(facts, conflict="call_id")
    # Facts of calls that no longer exist go with them: the retention purge deletes the oldest calls.
    oldest = Call.objects.order_by("pk").values_list("pk", flat=True).first()
    CallFact.objects.filter(call_id__lt=oldest if oldest is not None else 2**62).delete()
    result = RefreshResult(calls=len(call_ids), station_intervals=intervals)
    finished = timezone.now()
    StatisticsRefresh.objects.create(
        started_at=now, finished_at=finished, calls=result.calls, station_intervals=intervals, full=full
    )
    StatisticsRefresh.objects.filter(finished_at__lt=finished - REFRESH_LOG_KEPT).delete()
    return result


def call_facts_refresh_unless_running() -> RefreshResult | None:
    """The periodic refresh of each server process: runs `call_facts_refresh` unless another process is running
    it now (a PostgreSQL advisory lock, taken without waiting), and returns None when it skipped. Two refreshes at
    once would write the same rows, so skipping loses nothing; it spares the database the duplicate work.
    SQLite serves one process, so there it always runs."""
    if connection.vendor != "postgresql":
        return call_facts_refresh()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [REFRESH_LOCK_KEY])
        if not cursor.fetchone()[0]:
            return None
        try:
            return call_facts_refresh()
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [REFRESH_LOCK_KEY])

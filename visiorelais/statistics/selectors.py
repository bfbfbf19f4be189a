"""Reads for the time-based figures: opening hours as intervals, and time spent in states within them.

Opening hours are the real ones (service windows for partners, opening hours for sites), minus French public
holidays and, for partners, dated closures; the PARTNERS_ALWAYS_OPEN demo switch does not apply to figures.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q

from visiorelais.calls.models import KioskPresenceEvent
from visiorelais.documents.models import PeripheralReport
from visiorelais.network.models import Closure, ServiceWindow, SiteOpening
from visiorelais.network.selectors import is_french_public_holiday
from visiorelais.statistics.models import StationInterval, StatisticsRefresh
from visiorelais.statistics.periods import PARIS, Period

Interval = tuple[dt.datetime, dt.datetime]


def _weekly(ranges: Iterable[tuple[int, dt.time, dt.time]], period: Period, closed: set[dt.date]) -> list[Interval]:
    by_weekday: dict[int, list[tuple[dt.time, dt.time]]] = defaultdict(list)
    for weekday, start, end in ranges:
        by_weekday[weekday].append((start, end))
    intervals = []
    for day in period.days():
        if day in closed or is_french_public_holiday(day):
            continue
        for start, end in sorted(by_weekday.get(day.weekday(), [])):
            intervals.append(
                (dt.datetime.combine(day, start, tzinfo=PARIS), dt.datetime.combine(day, end, tzinfo=PARIS))
            )
    return intervals


def partner_open_intervals(*, partner_id: int, period: Period) -> list[Interval]:
    closed = set()
    for first, last in Closure.objects.filter(
        partner_id=partner_id, first_day__lte=period.last, last_day__gte=period.first
    ).values_list("first_day", "last_day"):
        closed.update(Period(max(first, period.first), min(last, period.last)).days())
    ranges = ServiceWindow.objects.filter(partner_id=partner_id).values_list("weekday", "start", "end")
    return _weekly(ranges, period, closed)


def site_open_intervals(*, site_id: int, period: Period) -> list[Interval]:
    return _weekly(SiteOpening.objects.filter(site_id=site_id).values_list("weekday", "start", "end"), period, set())


def seconds(intervals: Iterable[Interval]) -> float:
    return sum((end - start).total_seconds() for start, end in intervals)


def union(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def intersect(first: list[Interval], second: list[Interval]) -> list[Interval]:
    """The overlap of two lists of intervals, each sorted and without overlaps of its own."""
    result, i, j = [], 0, 0
    while i < len(first) and j < len(second):
        start, end = max(first[i][0], second[j][0]), min(first[i][1], second[j][1])
        if start < end:
            result.append((start, end))
        if first[i][1] < second[j][1]:
            i += 1
        else:
            j += 1
    return result


def station_state_intervals(
    *, partner_ids: Iterable[int], period: Period, now: dt.datetime
) -> dict[tuple[int, str], list[Interval]]:
    """(station id, state) → the stretches of the period the station spent in that state, clipped to the
    period; a stretch still running ends at `now`."""
    rows = (
        StationInterval.objects.filter(partner_id__in=list(partner_ids), start__lt=period.end)
        .filter(Q(end__isnull=True) | Q(end__gt=period.start))
        .values_list("station_id", "state", "start", "end")
    )
    found: dict[tuple[int, str], list[Interval]] = defaultdict(list)
    for station_id, state, start, end in rows:
        start, end = max(start, period.start), min(end or now, period.end)
        if start < end:
            found[(station_id, state)].append((start, end))
    return found


def _step_intervals(changes: list[tuple[dt.datetime, bool]], period: Period, now: dt.datetime) -> list[Interval]:
    """The stretches where a step function (a list of (at, up) changes, in time order) is up within the period."""
    up: list[Interval] = []
    for index, (at, is_up) in enumerate(changes):
        if not is_up:
            continue
        end = changes[index + 1][0] if index + 1 < len(changes) else min(now, period.end)
        start, end = max(at, period.start), min(end, period.end)
        if start < end:
            up.append((start, end))
    return up


def kiosk_online_intervals(*, kiosk_id: int, period: Period, now: dt.datetime) -> list[Interval]:
    """When the kiosk was online within the period, from its KioskPresenceEvent rows (offline before the first)."""
    before = (
        KioskPresenceEvent.objects.filter(kiosk_id=kiosk_id, at__lt=period.start)
        .order_by("-at", "-id")
        .values_list("at", "online")
        .first()
    )
    rows = list(
        KioskPresenceEvent.objects.filter(kiosk_id=kiosk_id, at__gte=period.start, at__lt=period.end)
        .order_by("at", "id")
        .values_list("at", "online")
    )
    return _step_intervals(([before] if before else []) + rows, period, now)


def peripheral_ready_intervals(*, kiosk_id: int, device: str, period: Period, now: dt.datetime) -> list[Interval]:
    """When the bridge last said the kiosk's `device` ("scanner" or "printer") was present and ready, within
    the period (from its PeripheralReport rows; intersect with the kiosk's online time for uptime)."""
    reports = PeripheralReport.objects.filter(kiosk_id=kiosk_id)
    before = reports.filter(at__lt=period.start).order_by("-at", "-id").values_list("at", device).first()
    rows = list(reports.filter(at__gte=period.start, at__lt=period.end).order_by("at", "id").values_list("at", device))
    changes = [
        (at, bool(state.get("present") and state.get("ready"))) for at, state in ([before] if before else []) + rows
    ]
    return _step_intervals(changes, period, now)


def last_refresh() -> dt.datetime | None:
    """When the figures' tables were last brought up to the event record (None: never)."""
    return StatisticsRefresh.objects.order_by("-finished_at").values_list("finished_at", flat=True).first()

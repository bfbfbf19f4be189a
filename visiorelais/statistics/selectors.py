"""Reads for the time-based figures: opening hours as intervals, and time spent in states within them.

Opening hours are the real ones (service windows for partners, opening hours for sites), minus French public
holidays and, for partners, dated closures; the PARTNERS_ALWAYS_OPEN demo switch does not apply to figures.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import models
from django.db.models import OuterRef, Q, Subquery

from visiorelais.calls.models import KioskPresenceEvent
from visiorelais.documents.models import PeripheralReport
from visiorelais.network.models import Closure, Kiosk, ServiceWindow, SiteOpening
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


def partners_open_intervals(*, partner_ids: Iterable[int], period: Period) -> dict[int, list[Interval]]:
    """partner id → its service windows within the period (closures and public holidays left out), in two
    queries whatever the number of partners."""
    partner_ids = list(partner_ids)
    closed: dict[int, set[dt.date]] = defaultdict(set)
    for partner_id, first, last in Closure.objects.filter(
        partner_id__in=partner_ids, first_day__lte=period.last, last_day__gte=period.first
    ).values_list("partner_id", "first_day", "last_day"):
        closed[partner_id].update(Period(max(first, period.first), min(last, period.last)).days())
    ranges: dict[int, list[tuple[int, dt.time, dt.time]]] = defaultdict(list)
    for partner_id, *weekly in ServiceWindow.objects.filter(partner_id__in=partner_ids).values_list(
        "partner_id", "weekday", "start", "end"
    ):
        ranges[partner_id].append(tuple(weekly))
    return {partner_id: _weekly(ranges[partner_id], period, closed[partner_id]) for partner_id in partner_ids}


def partner_open_intervals(*, partner_id: int, period: Period) -> list[Interval]:
    return partners_open_intervals(partner_ids=[partner_id], period=period)[partner_id]


def sites_open_intervals(*, site_ids: Iterable[int], period: Period) -> dict[int, list[Interval]]:
    """site id → its opening hours within the period (public holidays left out), in one query."""
    site_ids = list(site_ids)
    ranges: dict[int, list[tuple[int, dt.time, dt.time]]] = defaultdict(list)
    for site_id, *weekly in SiteOpening.objects.filter(site_id__in=site_ids).values_list(
        "site_id", "weekday", "start", "end"
    ):
        ranges[site_id].append(tuple(weekly))
    return {site_id: _weekly(ranges[site_id], period, set()) for site_id in site_ids}


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


def _kiosk_changes(
    model: type[models.Model], field: str, *, kiosk_ids: list[int], period: Period
) -> dict[int, list[tuple[dt.datetime, object]]]:
    """kiosk id → its (at, `field`) rows of `model` in time order: the last one before the period, then those
    within it. One query whatever the number of kiosks (a subquery finds each kiosk's last row before)."""
    before = model.objects.filter(kiosk_id=OuterRef("pk"), at__lt=period.start).order_by("-at", "-id")
    before_ids = Kiosk.objects.filter(pk__in=kiosk_ids).values(last=Subquery(before.values("id")[:1]))
    rows = (
        model.objects.filter(Q(id__in=before_ids) | Q(kiosk_id__in=kiosk_ids, at__gte=period.start, at__lt=period.end))
        .order_by("kiosk_id", "at", "id")
        .values_list("kiosk_id", "at", field)
    )
    changes: dict[int, list[tuple[dt.datetime, object]]] = defaultdict(list)
    for kiosk_id, at, value in rows:
        changes[kiosk_id].append((at, value))
    return changes


def kiosks_online_intervals(*, kiosk_ids: Iterable[int], period: Period, now: dt.datetime) -> dict[int, list[Interval]]:
    """kiosk id → when it was online within the period, from its KioskPresenceEvent rows (offline before the
    first)."""
    kiosk_ids = list(kiosk_ids)
    changes = _kiosk_changes(KioskPresenceEvent, "online", kiosk_ids=kiosk_ids, period=period)
    return {kiosk_id: _step_intervals(changes.get(kiosk_id, []), period, now) for kiosk_id in kiosk_ids}


def peripherals_ready_intervals(
    *, kiosk_ids: Iterable[int], device: str, period: Period, now: dt.datetime
) -> dict[int, list[Interval]]:
    """kiosk id → when the bridge last said its `device` ("scanner" or "printer") was present and ready, within
    the period (from its PeripheralReport rows; intersect with the kiosk's online time for uptime)."""
    kiosk_ids = list(kiosk_ids)
    reports = _kiosk_changes(PeripheralReport, device, kiosk_ids=kiosk_ids, period=period)
    return {
        kiosk_id: _step_intervals(
            [(at, bool(state.get("present") and state.get("ready"))) for at, state in reports.get(kiosk_id, [])],
            period,
            now,
        )
        for kiosk_id in kiosk_ids
    }


def last_refresh() -> dt.datetime | None:
    """When the figures' tables were last brought up to the event record (None: never)."""
    return StatisticsRefresh.objects.order_by("-finished_at").values_list("finished_at", flat=True).first()

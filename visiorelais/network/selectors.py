"""Reads of the network: when a partner answers, and which partners a kiosk reaches.

Service windows are wall-clock times in Europe/Paris whatever the server's time zone, so that
"9:00 on Monday" stays 9:00 across daylight-saving changes. French public holidays come from the
`holidays` library (metropolitan France); dated `Closure` rows are whole days, both ends included.
"""

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.db.models import Q

from visiorelais.network.models import Closure, Entitlement, Kiosk, Partner, ServiceWindow

PARIS = ZoneInfo("Europe/Paris")

# How far partner_next_opening looks ahead. A partner closed for longer (summer closure of a small
# office, a partner being set up with no windows yet) has "no known next opening".
NEXT_OPENING_LOOKAHEAD_DAYS = 62


@lru_cache(maxsize=64)
def _french_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("FR", years=year).keys())


def is_french_public_holiday(day: dt.date) -> bool:
    return day in _french_holidays(day.year)


def _closed_days(partner: Partner, first: dt.date, last: dt.date) -> set[dt.date]:
    """Days in [first, last] on which a Closure row of the partner applies."""
    days: set[dt.date] = set()
    closures = Closure.objects.filter(partner=partner, first_day__lte=last, last_day__gte=first)
    for closure in closures:
        day = max(closure.first_day, first)
        while day <= min(closure.last_day, last):
            days.add(day)
            day += dt.timedelta(days=1)
    return days


def _windows_by_weekday(partner: Partner) -> dict[int, list[tuple[dt.time, dt.time]]]:
    windows: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for window in ServiceWindow.objects.filter(partner=partner).order_by("weekday", "start"):
        windows.setdefault(window.weekday, []).append((window.start, window.end))
    return windows


def _local(at: dt.datetime) -> dt.datetime:
    if at.tzinfo is None:
        raise ValueError("an aware datetime is required")
    return at.astimezone(PARIS)


def _at_paris(day: dt.date, time: dt.time) -> dt.datetime:
    # A wall-clock time that does not exist (02:30 on the spring-forward Sunday) resolves to the
    # matching instant after the change, which is what a person would expect from "opens at 02:30".
    return dt.datetime.combine(day, time, tzinfo=PARIS)


def _open_intervals(partner: Partner, first: dt.date, last: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """The partner's opening intervals, as aware datetimes, on the days first..last (local dates).

    With the PARTNERS_ALWAYS_OPEN setting (demos and trials only), every partner answers all day, every day.
    """
    if settings.PARTNERS_ALWAYS_OPEN:
        days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
        return [(_at_paris(day, dt.time(0)), _at_paris(day + dt.timedelta(days=1), dt.time(0))) for day in days]
    windows = _windows_by_weekday(partner)
    if not windows:
        return []
    closed = _closed_days(partner, first, last)
    intervals = []
    day = first
    while day <= last:
        if day not in closed and not is_french_public_holiday(day):
            for start, end in windows.get(day.weekday(), []):
                intervals.append((_at_paris(day, start), _at_paris(day, end)))
        day += dt.timedelta(days=1)
    return intervals


def partner_is_open(*, partner: Partner, at: dt.datetime) -> bool:
    """True when `at` falls inside one of the partner's service windows (start included, end excluded)
    on a day that is neither a French public holiday nor covered by one of its Closure rows."""
    day = _local(at).date()
    return any(start <= at < end for start, end in _open_intervals(partner, day, day))


def partner_window_end(*, partner: Partner, at: dt.datetime) -> dt.datetime | None:
    """The end of the service window that contains `at`, or None when the partner is closed at `at`."""
    day = _local(at).date()
    for start, end in _open_intervals(partner, day, day):
        if start <= at < end:
            return end
    return None


def partner_next_opening(*, partner: Partner, after: dt.datetime) -> dt.datetime | None:
    """The first instant at or after `after` at which the partner is open.

    That is `after` itself when the partner is open then; otherwise the start of its next service
    window, skipping public holidays and closures. None when nothing opens within
    NEXT_OPENING_LOOKAHEAD_DAYS (or the partner has no service window at all).
    """
    first = _local(after).date()
    last = first + dt.timedelta(days=NEXT_OPENING_LOOKAHEAD_DAYS)
    for start, end in _open_intervals(partner, first, last):
        if end <= after:
            continue
        return max(start, after)
    return None


def kiosk_entitlements(*, kiosk: Kiosk) -> list[tuple[Partner, str]]:
    """The partners a kiosk reaches, each with its mode (`Entitlement.Mode`), ordered by short name.

    A row naming this kiosk overrides the partner's all-kiosks row. A kiosk that is not active
    (retired, or in maintenance) reaches nothing.
    """
    if kiosk.status != Kiosk.Status.ACTIVE:
        return []
    chosen: dict[int, Entitlement] = {}
    rows = Entitlement.objects.filter(Q(kiosk=kiosk) | Q(kiosk__isnull=True)).select_related("partner")
    for row in rows:
        current = chosen.get(row.partner_id)
        if current is None or (row.kiosk_id is not None and current.kiosk_id is None):
            chosen[row.partner_id] = row
    return [(row.partner, row.mode) for row in sorted(chosen.values(), key=lambda row: row.partner.short_name)]


def kiosk_entitlement_mode(*, kiosk: Kiosk, partner: Partner) -> str | None:
    """The mode under which `kiosk` reaches `partner`, or None when it does not reach it."""
    for entitled, mode in kiosk_entitlements(kiosk=kiosk):
        if entitled.pk == partner.pk:
            return mode
    return None

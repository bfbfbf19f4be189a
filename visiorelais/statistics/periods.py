"""Periods and scopes of the figures. A period is a range of days in Europe/Paris, both ends included: a call
belongs to the day of its request in Paris (a request at 23:30 UTC on 31 March is on 1 April)."""

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils.dates import MONTHS
from django.utils.formats import date_format
from django.utils.translation import gettext as _

PARIS = ZoneInfo("Europe/Paris")

# The kinds of a period (`Period.kind`); "range" is any other run of days.
DAY, WEEK, MONTH, QUARTER, YEAR, RANGE = "day", "week", "month", "quarter", "year", "range"
_CODES = [
    (DAY, re.compile(r"(\d{4})-(\d{2})-(\d{2})")),
    (WEEK, re.compile(r"(\d{4})-W(\d{2})")),
    (MONTH, re.compile(r"(\d{4})-(\d{2})")),
    (QUARTER, re.compile(r"(\d{4})-T([1-4])")),
    (YEAR, re.compile(r"(\d{4})")),
]


def paris_day(at: dt.datetime) -> dt.date:
    return at.astimezone(PARIS).date()


def paris_midnight(day: dt.date) -> dt.datetime:
    """The instant a Paris day starts (an aware datetime; 23 or 25 hours long on the days of the clock change)."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=PARIS).astimezone(dt.UTC)


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("a period ends on or after its first day")

    @classmethod
    def day(cls, day: dt.date) -> "Period":
        return cls(day, day)

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        first = dt.date(year, month, 1)
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return cls(first, following - dt.timedelta(days=1))

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def iso_week(cls, day: dt.date) -> "Period":
        monday = day - dt.timedelta(days=day.weekday())
        return cls(monday, monday + dt.timedelta(days=6))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        """Quarter 1 is January to March."""
        if quarter not in (1, 2, 3, 4):
            raise ValueError("a quarter is 1, 2, 3 or 4")
        first_month = 3 * quarter - 2
        return cls(cls.month(year, first_month).first, cls.month(year, first_month + 2).last)

    @classmethod
    def containing(cls, kind: str, day: dt.date) -> "Period":
        """The day, week, month, quarter or year that holds `day`."""
        match kind:
            case "day":
                return cls.day(day)
            case "week":
                return cls.iso_week(day)
            case "month":
                return cls.month(day.year, day.month)
            case "quarter":
                return cls.quarter(day.year, (day.month - 1) // 3 + 1)
            case "year":
                return cls.year(day.year)
        raise ValueError(f"no period of kind {kind}")

    @classmethod
    def parse(cls, code: str) -> "Period":
        """The period a `code` names (the inverse of `Period.code`): "2026-03-02" (a day), "2026-W10" (an ISO
        week), "2026-03" (a month), "2026-T1" (a quarter), "2026" (a year). ValueError for anything else."""
        for kind, pattern in _CODES:
            match = pattern.fullmatch(code.strip())
            if not match:
                continue
            numbers = [int(group) for group in match.groups()]
            if kind == DAY:
                return cls.day(dt.date(*numbers))
            if kind == WEEK:
                return cls.iso_week(dt.date.fromisocalendar(numbers[0], numbers[1], 1))
            if kind == MONTH:
                return cls.month(*numbers)
            if kind == QUARTER:
                return cls.quarter(*numbers)
            return cls.year(numbers[0])
        raise ValueError(f"not a period: {code!r}")

    @property
    def kind(self) -> str:
        """ "day", "week" (an ISO week, Monday to Sunday), "month", "quarter", "year", or "range"."""
        first, last = self.first, self.last
        if first == last:
            return DAY
        if first.weekday() == 0 and last == first + dt.timedelta(days=6):
            return WEEK
        for kind in (MONTH, QUARTER, YEAR):
            if Period.containing(kind, first) == self:
                return kind
        return RANGE

    @property
    def code(self) -> str:
        """A short name for URLs: "2026-03-02", "2026-W10", "2026-03", "2026-T1", "2026" (or "first..last")."""
        first = self.first
        match self.kind:
            case "day":
                return first.isoformat()
            case "week":
                year, week, _weekday = first.isocalendar()
                return f"{year}-W{week:02d}"
            case "month":
                return f"{first:%Y-%m}"
            case "quarter":
                return f"{first.year}-T{(first.month - 1) // 3 + 1}"
            case "year":
                return str(first.year)
        return f"{first.isoformat()}..{self.last.isoformat()}"

    @property
    def label(self) -> str:
        """The period in French words: "semaine 10 de 2026 (du 02/03 au 08/03/2026)", "mars 2026",
        "1er trimestre 2026", "année 2026", "lundi 2 mars 2026"."""
        first = self.first
        match self.kind:
            case "day":
                return date_format(first, "l j F Y")
            case "week":
                year, week, _weekday = first.isocalendar()
                return _("semaine %(week)d de %(year)d (du %(first)s au %(last)s)") % {
                    "week": week,
                    "year": year,
                    "first": f"{first:%d/%m}",
                    "last": f"{self.last:%d/%m/%Y}",
                }
            case "month":
                return f"{MONTHS[first.month]} {first.year}"
            case "quarter":
                quarter = (first.month - 1) // 3 + 1
                ordinal = _("1er") if quarter == 1 else _("%de") % quarter
                return _("%(ordinal)s trimestre %(year)d") % {"ordinal": ordinal, "year": first.year}
            case "year":
                return _("année %d") % first.year
        return str(self)

    def previous(self) -> "Period":
        """The period of the same kind just before (the previous week, month, quarter, year; a range of the same
        length ending the day before)."""
        kind = self.kind
        if kind == RANGE:
            length = self.last - self.first
            last = self.first - dt.timedelta(days=1)
            return Period(last - length, last)
        return Period.containing(kind, self.first - dt.timedelta(days=1))

    def year_before(self) -> "Period":
        """The same period a year earlier: the same month, quarter or year; for a week, the week 52 weeks
        before (same weekdays); for a day or a range, the same dates (28 February for a 29th)."""
        kind = self.kind
        if kind == WEEK:
            return Period.iso_week(self.first - dt.timedelta(weeks=52))
        if kind in (MONTH, QUARTER, YEAR):
            return Period.containing(kind, self.first.replace(year=self.first.year - 1))

        def shifted(day: dt.date) -> dt.date:
            if day.month == 2 and day.day == 29:
                day = day.replace(day=28)
            return day.replace(year=day.year - 1)

        return Period(shifted(self.first), shifted(self.last))

    @property
    def start(self) -> dt.datetime:
        """The first instant of the period (Paris midnight of its first day)."""
        return paris_midnight(self.first)

    @property
    def end(self) -> dt.datetime:
        """The instant after the period (Paris midnight after its last day)."""
        return paris_midnight(self.last + dt.timedelta(days=1))

    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def __str__(self) -> str:
        return f"du {self.first:%d/%m/%Y} au {self.last:%d/%m/%Y}"


@dataclass(frozen=True)
class Scope:
    """Network (no filter), one partner, one host site or one kiosk."""

    kind: str = "network"
    id: int | None = None

    KINDS = ("network", "partner", "site", "kiosk")

    def __post_init__(self) -> None:
        if self.kind not in self.KINDS or (self.kind == "network") != (self.id is None):
            raise ValueError(f"bad scope {self.kind} {self.id}")

    @classmethod
    def network(cls) -> "Scope":
        return cls()

    @classmethod
    def partner(cls, partner_id: int) -> "Scope":
        return cls("partner", partner_id)

    @classmethod
    def site(cls, site_id: int) -> "Scope":
        return cls("site", site_id)

    @classmethod
    def kiosk(cls, kiosk_id: int) -> "Scope":
        return cls("kiosk", kiosk_id)

    def fact_filter(self) -> dict:
        return {} if self.kind == "network" else {f"{self.kind}_id": self.id}

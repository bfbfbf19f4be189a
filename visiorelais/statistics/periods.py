"""Periods and scopes of the figures. A period is a range of days in Europe/Paris, both ends included: a call
belongs to the day of its request in Paris (a request at 23:30 UTC on 31 March is on 1 April)."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


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

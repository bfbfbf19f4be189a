"""What every metric shares: its thresholds, its result (value, n, period, scope, status), the Metric base
class (French name, formula, unit), and Rate, the base of every share (call rates and shares of time)."""

import datetime as dt
from dataclasses import dataclass

from visiorelais.statistics.conf import MIN_SIGNIFICANT_N
from visiorelais.statistics.periods import Period, Scope

NETWORK = Scope.network()


@dataclass(frozen=True)
class Thresholds:
    """`good` and `alert` bounds: with higher_is_better, ≥ good is "bon", < alert is "alerte", between is
    "à surveiller" (the other way round otherwise)."""

    good: float
    alert: float
    higher_is_better: bool = True

    def status(self, value: float | None) -> str | None:
        if value is None:
            return None
        sign = 1 if self.higher_is_better else -1
        if sign * value >= sign * self.good:
            return "bon"
        if sign * value < sign * self.alert:
            return "alerte"
        return "à surveiller"

    def __str__(self) -> str:
        better, worse = ("≥", "<") if self.higher_is_better else ("≤", ">")
        return f"bon {better} {self.good:g}, alerte {worse} {self.alert:g}"


@dataclass(frozen=True)
class Result:
    key: str
    name: str
    value: float | None
    n: int
    unit: str
    formula: str
    thresholds: Thresholds | None
    period: Period
    scope: Scope

    @property
    def significant(self) -> bool:
        return self.unit in ("appels", "h") or self.n >= MIN_SIGNIFICANT_N

    @property
    def status(self) -> str | None:
        return self.thresholds.status(self.value) if self.thresholds and self.significant else None


class Metric:
    key = ""
    name = ""
    formula = ""
    unit = ""
    thresholds: Thresholds | None = None

    def compute(self, *, period: Period, scope: Scope = NETWORK, now: dt.datetime | None = None) -> Result:
        raise NotImplementedError

    def result(self, value: float | None, n: int, *, period: Period, scope: Scope) -> Result:
        return Result(self.key, self.name, value, n, self.unit, self.formula, self.thresholds, period, scope)


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator; None over nothing (no value, not zero)."""
    return numerator / denominator if denominator else None


class Rate(Metric):
    """A share, as a fraction (0.778; the screens show 77.8 %): call rates and shares of time alike."""

    unit = "%"

    def rate(self, numerator: float, denominator: float, n: int, *, period: Period, scope: Scope) -> Result:
        return self.result(ratio(numerator, denominator), n, period=period, scope=scope)

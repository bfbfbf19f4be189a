"""The machinery of call metrics: named aggregates of CallFact (`counts`), the wait percentiles, and
`metrics_compute`, which puts every metric asked for into one grouped query. FactMetric and its shared shapes
(a ratio of aggregates, a mean) are defined here; the metrics themselves are in calls.py."""

import datetime as dt
from collections import defaultdict

from django.db import connection
from django.db.models import Aggregate, Count, FloatField, Q, Sum

from visiorelais.statistics import conf
from visiorelais.statistics.metrics.base import NETWORK, Metric, Rate, Result, ratio
from visiorelais.statistics.models import CallFact
from visiorelais.statistics.periods import Period, Scope

Outcome = CallFact.Outcome


class Percentile(Aggregate):
    """PostgreSQL's percentile_cont (linear interpolation between closest ranks)."""

    function = "PERCENTILE_CONT"
    name = "Percentile"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def percentile(values: list[float], fraction: float) -> float | None:
    """As percentile_cont: the value at rank fraction × (n − 1), interpolated."""
    if not values:
        return None
    values = sorted(values)
    rank = fraction * (len(values) - 1)
    low = int(rank)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (rank - low)


def counts() -> dict[str, Aggregate]:
    """The named aggregates of CallFact that call metrics combine (T is read now, from the settings)."""
    within_t = Q(wait_seconds__lte=conf.service_level_seconds())
    answered = Q(answered=True)
    ended = ~Q(outcome=Outcome.OPEN)

    def count(condition: Q) -> Count:
        return Count("call_id", filter=condition)

    def total(field: str, condition: Q | None = None) -> Sum:
        return Sum(field, filter=condition, output_field=FloatField())

    return {
        "requests": Count("call_id"),
        "ended": count(ended),
        "unavailable": count(Q(outcome__in=CallFact.UNAVAILABLE)),
        "unavailable_closed": count(Q(outcome=Outcome.UNAVAILABLE_CLOSED)),
        "unavailable_unstaffed": count(Q(outcome=Outcome.UNAVAILABLE_UNSTAFFED)),
        "queued": count(ended & ~Q(outcome__in=CallFact.UNAVAILABLE)),
        "answered": count(answered),
        "answered_in_t": count(answered & within_t),
        "abandoned": count(Q(outcome__in=CallFact.ABANDONS)),
        "abandoned_long": count(Q(outcome=Outcome.ABANDONED)),
        "abandoned_short": count(Q(outcome=Outcome.ABANDONED_SHORT)),
        "abandoned_in_t": count(Q(outcome__in=CallFact.ABANDONS) & within_t),
        "declined": count(Q(outcome=Outcome.DECLINED)),
        "unanswered": count(Q(outcome=Outcome.UNANSWERED)),
        "failed": count(Q(outcome=Outcome.FAILED)),
        "completed": count(Q(outcome=Outcome.COMPLETED)),
        "wait_sum": total("wait_seconds", answered),
        "talk_n": count(Q(talk_seconds__isnull=False)),
        "talk_sum": total("talk_seconds"),
        "wrap_up_n": count(Q(wrap_up_seconds__isnull=False)),
        "wrap_up_sum": total("wrap_up_seconds"),
        "handle_n": count(Q(talk_seconds__isnull=False, wrap_up_seconds__isnull=False)),
        "handle_talk_sum": total("talk_seconds", Q(wrap_up_seconds__isnull=False)),
        "handle_wrap_sum": total("wrap_up_seconds", Q(talk_seconds__isnull=False)),
        "offers_accepted": total("offers_accepted"),
        "offers_declined": total("offers_declined"),
        "offers_timed_out": total("offers_timed_out"),
        "rated": count(Q(rating__isnull=False)),
        "rated_top": count(Q(rating__gte=4)),
        "rating_sum": total("rating"),
        "answered_ended": count(answered & ended),
    }


# name → (field, condition, fraction): percentile_cont on PostgreSQL, computed in Python elsewhere.
PERCENTILES = {
    "wait_p50": ("wait_seconds", Q(answered=True), 0.5),
    "wait_p90": ("wait_seconds", Q(answered=True), 0.9),
}


class FactMetric(Metric):
    """A metric of CallFact: `needs` names aggregates of counts() or PERCENTILES; `evaluate` makes (value, n)."""

    needs: tuple[str, ...] = ()

    def evaluate(self, row: dict) -> tuple[float | None, int]:
        raise NotImplementedError

    def compute(self, *, period: Period, scope: Scope = NETWORK, now: dt.datetime | None = None) -> Result:
        return metrics_compute([self], period=period, scope=scope)[()][self.key]


class RatioMetric(FactMetric, Rate):
    """The sum of the `numerator` aggregates over the sum of the `denominator` ones; n is the denominator."""

    numerator: tuple[str, ...] = ()
    denominator: tuple[str, ...] = ()

    @property
    def needs(self) -> tuple[str, ...]:
        return (*self.numerator, *self.denominator)

    def evaluate(self, row):
        n = int(sum(row[name] or 0 for name in self.denominator))
        return ratio(sum(row[name] or 0 for name in self.numerator), n), n


class MeanMetric(FactMetric):
    """The `total` aggregate over the `count` one; n is the count."""

    total, count = "", ""
    unit = "s"

    @property
    def needs(self) -> tuple[str, ...]:
        return (self.total, self.count)

    def evaluate(self, row):
        n = int(row[self.count] or 0)
        return ratio(row[self.total] or 0, n), n


def call_facts(period: Period, scope: Scope):
    return CallFact.objects.filter(day__gte=period.first, day__lte=period.last, **scope.fact_filter())


def metrics_compute(
    metrics: list[FactMetric], *, period: Period, scope: Scope = NETWORK, group_by: tuple[str, ...] = ()
) -> dict[tuple, dict[str, Result]]:
    """Every metric of `metrics` over the period and scope, in one query, grouped by `group_by` (CallFact
    fields such as "month", "partner_id"). Returns {group key tuple: {metric key: Result}}; () without grouping."""
    needs = {name for metric in metrics for name in metric.needs}
    aggregates_by_name = counts()
    aggregates = {name: aggregates_by_name[name] for name in needs if name in aggregates_by_name}
    wanted_percentiles = {name: PERCENTILES[name] for name in needs if name in PERCENTILES}
    on_postgres = connection.vendor == "postgresql"
    if on_postgres:
        for name, (field, condition, fraction) in wanted_percentiles.items():
            aggregates[name] = Percentile(field, fraction, filter=condition)
    facts = call_facts(period, scope)
    # Aliases of their own: an annotation named like a field ("answered") would capture the later filters on it.
    aliased = {f"x_{name}": aggregate for name, aggregate in aggregates.items()}
    found = facts.values(*group_by).annotate(**aliased).order_by() if group_by else [facts.aggregate(**aliased)]
    rows = {
        tuple(row[g] for g in group_by): {name.removeprefix("x_"): value for name, value in row.items()}
        for row in found
    }
    if wanted_percentiles and not on_postgres:
        for name, (field, condition, fraction) in wanted_percentiles.items():
            samples: dict[tuple, list[float]] = defaultdict(list)
            for values in facts.filter(condition).values_list(*group_by, field):
                samples[tuple(values[:-1])].append(values[-1])
            for key, row in rows.items():
                row[name] = percentile(samples.get(key, []), fraction)
    return {
        key: {metric.key: metric.result(*metric.evaluate(row), period=period, scope=scope) for metric in metrics}
        for key, row in rows.items()
    }

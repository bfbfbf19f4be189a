"""The network's figures: one small class per metric, each with its French name, formula, unit and thresholds.

Call metrics read CallFact only, through named aggregates (COUNTS below): `metrics_compute` puts every metric
asked for into one grouped query (by month and partner for the dashboard), plus the wait percentiles.
Time metrics (presence, coverage, occupancy, uptime) read StationInterval and the kiosks' presence and
peripheral records over the opening hours. Every result carries its n; a ratio over fewer than
MIN_SIGNIFICANT_N calls (or opening stretches) is flagged `significant=False`, to be shown greyed.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Aggregate, Count, FloatField, Q, Sum
from django.utils import timezone

from visiorelais.calls.models import StationPresence
from visiorelais.network.models import Kiosk, Partner, Station
from visiorelais.statistics import conf, selectors
from visiorelais.statistics.conf import MIN_SIGNIFICANT_N
from visiorelais.statistics.models import CallFact
from visiorelais.statistics.periods import Period, Scope

Outcome = CallFact.Outcome
NETWORK = Scope.network()
State = StationPresence.State


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


def _counts() -> dict[str, Aggregate]:
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


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


class FactMetric(Metric):
    """A metric of CallFact: `needs` names aggregates of _counts() or PERCENTILES; `evaluate` makes (value, n)."""

    needs: tuple[str, ...] = ()

    def evaluate(self, row: dict) -> tuple[float | None, int]:
        raise NotImplementedError

    def compute(self, *, period: Period, scope: Scope = NETWORK, now: dt.datetime | None = None) -> Result:
        return metrics_compute([self], period=period, scope=scope)[()][self.key]


class RatioMetric(FactMetric):
    numerator: tuple[str, ...] = ()
    denominator: tuple[str, ...] = ()
    unit = "%"

    @property
    def needs(self) -> tuple[str, ...]:
        return (*self.numerator, *self.denominator)

    def evaluate(self, row):
        n = int(sum(row[name] or 0 for name in self.denominator))
        return _ratio(sum(row[name] or 0 for name in self.numerator), n), n


class Requests(FactMetric):
    key, name, unit = "requests", "Demandes d'appel", "appels"
    formula = "nombre d'appels demandés, datés du jour de la demande (heure de Paris)"
    needs = ("requests",)

    def evaluate(self, row):
        return row["requests"], row["requests"]


class AccessRate(RatioMetric):
    key, name = "access_rate", "Taux d'accès"
    formula = "(demandes terminées − indisponibles) / demandes terminées"
    thresholds = Thresholds(0.9, 0.8)
    numerator, denominator = ("queued",), ("ended",)


class UnavailabilityRate(RatioMetric):
    key, name = "unavailability_rate", "Taux d'indisponibilité"
    formula = "indisponibles (hors horaires + aucun poste tenu) / demandes terminées"
    thresholds = Thresholds(0.1, 0.2, higher_is_better=False)
    numerator, denominator = ("unavailable",), ("ended",)


class UnavailableClosedRate(RatioMetric):
    key, name = "unavailable_closed_rate", "Indisponibilité : hors horaires"
    formula = "demandes hors des plages de permanence / demandes terminées"
    numerator, denominator = ("unavailable_closed",), ("ended",)


class UnavailableUnstaffedRate(RatioMetric):
    key, name = "unavailable_unstaffed_rate", "Indisponibilité : aucun poste tenu"
    formula = "demandes pendant une permanence sans aucun poste tenu / demandes terminées"
    thresholds = Thresholds(0.02, 0.05, higher_is_better=False)
    numerator, denominator = ("unavailable_unstaffed",), ("ended",)


class AnswerRate(RatioMetric):
    key, name = "answer_rate", "Taux de décroché"
    formula = "appels décrochés / appels mis en attente (demandes terminées − indisponibles)"
    thresholds = Thresholds(0.9, 0.8)
    numerator, denominator = ("answered",), ("queued",)


class ServiceLevel(RatioMetric):
    key, name = "service_level", "Niveau de service"
    formula = (
        "décrochés en T secondes au plus / (décrochés + abandons longs + sans réponse + refusés par tous) ; "
        "les abandons courts sont exclus"
    )
    thresholds = Thresholds(0.8, 0.7)
    numerator, denominator = ("answered_in_t",), ("answered", "abandoned_long", "unanswered", "declined")


class ServiceLevelAnswered(RatioMetric):
    key, name = "service_level_answered", "Niveau de service (variante : décrochés seuls)"
    formula = "décrochés en T secondes au plus / décrochés (les abandons ne comptent pas)"
    thresholds = Thresholds(0.8, 0.7)
    numerator, denominator = ("answered_in_t",), ("answered",)


class ServiceLevelAbandonsInT(RatioMetric):
    key, name = "service_level_abandons_in_t", "Niveau de service (variante : abandons en T comptés réussis)"
    formula = "(décrochés en T + abandonnés en T) / (décrochés + abandonnés)"
    thresholds = Thresholds(0.8, 0.7)
    numerator, denominator = ("answered_in_t", "abandoned_in_t"), ("answered", "abandoned")


class AbandonRate(RatioMetric):
    key, name = "abandon_rate", "Taux d'abandon"
    formula = "abandons (courts et longs) / appels mis en attente"
    thresholds = Thresholds(0.05, 0.1, higher_is_better=False)
    numerator, denominator = ("abandoned",), ("queued",)


class LongAbandonRate(RatioMetric):
    key, name = "long_abandon_rate", "Taux d'abandon long"
    formula = "abandons après le seuil d'abandon court / appels mis en attente"
    thresholds = Thresholds(0.05, 0.1, higher_is_better=False)
    numerator, denominator = ("abandoned_long",), ("queued",)


class OfferAcceptance(RatioMetric):
    key, name = "offer_acceptance", "Acceptation des propositions"
    formula = "propositions acceptées / (acceptées + refusées + non décrochées) ; annulées exclues"
    thresholds = Thresholds(0.9, 0.75)
    numerator, denominator = ("offers_accepted",), ("offers_accepted", "offers_declined", "offers_timed_out")


class SatisfactionTop(RatioMetric):
    key, name = "satisfaction_top", "Satisfaction : meilleurs visages"
    formula = "évaluations 4 ou 5 (les deux meilleurs visages sur 5) / évaluations"
    thresholds = Thresholds(0.8, 0.6)
    numerator, denominator = ("rated_top",), ("rated",)


class RatingResponseRate(RatioMetric):
    key, name = "rating_response_rate", "Taux de réponse à l'évaluation"
    formula = "appels décrochés évalués / appels décrochés terminés"
    thresholds = Thresholds(0.5, 0.2)
    numerator, denominator = ("rated",), ("answered_ended",)


class MeanMetric(FactMetric):
    total, count = "", ""
    unit = "s"

    @property
    def needs(self) -> tuple[str, ...]:
        return (self.total, self.count)

    def evaluate(self, row):
        n = int(row[self.count] or 0)
        return _ratio(row[self.total] or 0, n), n


class SatisfactionMean(MeanMetric):
    key, name, unit = "satisfaction_mean", "Satisfaction moyenne", "/5"
    formula = "somme des évaluations (1 à 5) / évaluations"
    thresholds = Thresholds(4.0, 3.0)
    total, count = "rating_sum", "rated"


class WaitMean(MeanMetric):
    key, name = "wait_mean", "Attente moyenne"
    formula = "moyenne de (décroché − demande) sur les appels décrochés"
    thresholds = Thresholds(60, 180, higher_is_better=False)
    total, count = "wait_sum", "answered"


class TalkMean(MeanMetric):
    key, name = "talk_mean", "Durée moyenne de communication"
    formula = "moyenne de (fin − décroché) sur les appels décrochés terminés"
    total, count = "talk_sum", "talk_n"


class WrapUpMean(MeanMetric):
    key, name = "wrap_up_mean", "Durée moyenne de fin d'appel"
    formula = "moyenne du temps passé par le poste en « fin d'appel » après chaque appel"
    thresholds = Thresholds(120, 300, higher_is_better=False)
    total, count = "wrap_up_sum", "wrap_up_n"


class HandleMean(FactMetric):
    key, name, unit = "handle_mean", "Durée moyenne de traitement", "s"
    formula = "moyenne de (communication + fin d'appel) sur les appels décrochés dont la fin d'appel est close"
    needs = ("handle_talk_sum", "handle_wrap_sum", "handle_n")

    def evaluate(self, row):
        n = int(row["handle_n"] or 0)
        return _ratio((row["handle_talk_sum"] or 0) + (row["handle_wrap_sum"] or 0), n), n


class WaitPercentile(FactMetric):
    percentile_name = ""
    unit = "s"
    thresholds = Thresholds(60, 180, higher_is_better=False)

    @property
    def needs(self) -> tuple[str, ...]:
        return (self.percentile_name, "answered")

    def evaluate(self, row):
        return row[self.percentile_name], int(row["answered"] or 0)


class WaitMedian(WaitPercentile):
    key, name, percentile_name = "wait_median", "Attente médiane", "wait_p50"
    formula = "médiane de (décroché − demande) sur les appels décrochés"


class WaitP90(WaitPercentile):
    key, name, percentile_name = "wait_p90", "Attente au 90e centile", "wait_p90"
    formula = "90e centile de (décroché − demande) sur les appels décrochés (interpolé)"
    thresholds = Thresholds(120, 300, higher_is_better=False)


def _facts(period: Period, scope: Scope):
    return CallFact.objects.filter(day__gte=period.first, day__lte=period.last, **scope.fact_filter())


def metrics_compute(
    metrics: list[FactMetric], *, period: Period, scope: Scope = NETWORK, group_by: tuple[str, ...] = ()
) -> dict[tuple, dict[str, Result]]:
    """Every metric of `metrics` over the period and scope, in one query, grouped by `group_by` (CallFact
    fields such as "month", "partner_id"). Returns {group key tuple: {metric key: Result}}; () without grouping."""
    needs = {name for metric in metrics for name in metric.needs}
    counts = _counts()
    aggregates = {name: counts[name] for name in needs if name in counts}
    wanted_percentiles = {name: PERCENTILES[name] for name in needs if name in PERCENTILES}
    on_postgres = connection.vendor == "postgresql"
    if on_postgres:
        for name, (field, condition, fraction) in wanted_percentiles.items():
            aggregates[name] = Percentile(field, fraction, filter=condition)
    facts = _facts(period, scope)
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


class PartnerShares(Metric):
    key, name, unit = "partner_share", "Part de chaque partenaire", "%"
    formula = "demandes au partenaire / demandes (tous partenaires, même périmètre)"

    def compute_all(self, *, period: Period, scope: Scope = NETWORK) -> dict[int, Result]:
        """{partner id: its share of the requests}, over a network, site or kiosk scope."""
        rows = dict(
            _facts(period, scope).values("partner_id").annotate(n=Count("call_id")).values_list("partner_id", "n")
        )
        total = sum(rows.values())
        return {
            partner_id: self.result(_ratio(n, total), total, period=period, scope=scope)
            for partner_id, n in rows.items()
        }


# Time metrics.


class TimeMetric(Metric):
    """A share of time; n counts the opening stretches (half-days) it is measured over."""

    unit = "%"


def _scope_partner_ids(scope: Scope) -> list[int]:
    if scope.kind == "partner":
        return [scope.id]
    if scope.kind == "network":
        return list(Partner.objects.values_list("pk", flat=True))
    return []


def _scope_kiosks(scope: Scope) -> list[tuple[int, int, bool, bool]]:
    kiosks = Kiosk.objects.exclude(status=Kiosk.Status.RETIRED)
    if scope.kind == "site":
        kiosks = kiosks.filter(site_id=scope.id)
    elif scope.kind == "kiosk":
        kiosks = kiosks.filter(pk=scope.id)
    elif scope.kind == "partner":
        return []
    return list(kiosks.values_list("pk", "site_id", "has_scanner", "has_printer"))


STAFFED = tuple(StationPresence.STAFFED_STATES)


def _station_time(scope: Scope, period: Period, now: dt.datetime):
    partner_ids = _scope_partner_ids(scope)
    states = selectors.station_state_intervals(partner_ids=partner_ids, period=period, now=now)
    return partner_ids, states


class StationPresenceHours(TimeMetric):
    key, name, unit = "station_presence", "Présence des postes", "h"
    formula = "heures passées par les postes dans un état tenu (disponible, sonnerie, en appel, fin d'appel, pause)"

    def compute(self, *, period, scope=NETWORK, now=None):
        _, states = _station_time(scope, period, now or timezone.now())
        staffed = sum(selectors.seconds(ivs) for (_, state), ivs in states.items() if state in STAFFED)
        sessions = sum(len(ivs) for (_, state), ivs in states.items() if state == State.AVAILABLE)
        return self.result(staffed / 3600, sessions, period=period, scope=scope)


class Coverage(TimeMetric):
    key, name = "coverage", "Couverture des horaires"
    formula = "temps des plages de permanence où au moins un poste du partenaire est tenu / temps des plages"
    thresholds = Thresholds(0.95, 0.85)

    def compute(self, *, period, scope=NETWORK, now=None):
        partner_ids, states = _station_time(scope, period, now or timezone.now())
        station_partner = dict(Station.objects.filter(partner_id__in=partner_ids).values_list("pk", "partner_id"))
        covered = opening = 0.0
        stretches = 0
        for partner_id in partner_ids:
            windows = selectors.partner_open_intervals(partner_id=partner_id, period=period)
            staffed = selectors.union(
                iv
                for (station_id, state), ivs in states.items()
                if state in STAFFED and station_partner.get(station_id) == partner_id
                for iv in ivs
            )
            opening += selectors.seconds(windows)
            covered += selectors.seconds(selectors.intersect(windows, staffed))
            stretches += len(windows)
        return self.result(_ratio(covered, opening), stretches, period=period, scope=scope)


class Occupancy(TimeMetric):
    key, name = "occupancy", "Taux d'occupation"
    formula = "temps en appel et en fin d'appel / temps tenu hors pause (disponible + sonnerie + appel + fin d'appel)"
    thresholds = Thresholds(0.85, 0.95, higher_is_better=False)

    def compute(self, *, period, scope=NETWORK, now=None):
        _, states = _station_time(scope, period, now or timezone.now())
        by_state: dict[str, float] = defaultdict(float)
        sessions = 0
        for (_, state), ivs in states.items():
            by_state[state] += selectors.seconds(ivs)
            sessions += len(ivs) if state == State.AVAILABLE else 0
        working = by_state[State.BUSY] + by_state[State.WRAP_UP]
        ready = working + by_state[State.AVAILABLE] + by_state[State.RINGING]
        return self.result(_ratio(working, ready), sessions, period=period, scope=scope)


class KioskUptime(TimeMetric):
    key, name = "kiosk_uptime", "Disponibilité des bornes"
    formula = "temps en ligne pendant les horaires d'ouverture du site / temps d'ouverture du site"
    thresholds = Thresholds(0.98, 0.9)
    device = ""

    def _up(self, kiosk_id: int, period: Period, now: dt.datetime) -> list[selectors.Interval]:
        return selectors.kiosk_online_intervals(kiosk_id=kiosk_id, period=period, now=now)

    def compute(self, *, period, scope=NETWORK, now=None):
        now = now or timezone.now()
        up = opening = 0.0
        stretches = 0
        for kiosk_id, site_id, has_scanner, has_printer in _scope_kiosks(scope):
            if self.device and not {"scanner": has_scanner, "printer": has_printer}[self.device]:
                continue
            hours = selectors.site_open_intervals(site_id=site_id, period=period)
            opening += selectors.seconds(hours)
            stretches += len(hours)
            up += selectors.seconds(selectors.intersect(hours, self._up(kiosk_id, period, now)))
        return self.result(_ratio(up, opening), stretches, period=period, scope=scope)


class PeripheralUptime(KioskUptime):
    thresholds = Thresholds(0.95, 0.85)

    def _up(self, kiosk_id, period, now):
        online = super()._up(kiosk_id, period, now)
        ready = selectors.peripheral_ready_intervals(kiosk_id=kiosk_id, device=self.device, period=period, now=now)
        return selectors.intersect(online, ready)


class ScannerUptime(PeripheralUptime):
    key, name, device = "scanner_uptime", "Disponibilité des scanners", "scanner"
    formula = "temps en ligne avec le scanner présent et prêt, pendant l'ouverture du site / temps d'ouverture"


class PrinterUptime(PeripheralUptime):
    key, name, device = "printer_uptime", "Disponibilité des imprimantes", "printer"
    formula = "temps en ligne avec l'imprimante présente et prête, pendant l'ouverture du site / temps d'ouverture"


CALL_METRICS: list[FactMetric] = [
    Requests(),
    AccessRate(),
    UnavailabilityRate(),
    UnavailableClosedRate(),
    UnavailableUnstaffedRate(),
    AnswerRate(),
    ServiceLevel(),
    ServiceLevelAnswered(),
    ServiceLevelAbandonsInT(),
    WaitMean(),
    WaitMedian(),
    WaitP90(),
    TalkMean(),
    WrapUpMean(),
    HandleMean(),
    AbandonRate(),
    LongAbandonRate(),
    OfferAcceptance(),
    SatisfactionTop(),
    SatisfactionMean(),
    RatingResponseRate(),
]
TIME_METRICS: list[TimeMetric] = [
    StationPresenceHours(),
    Coverage(),
    Occupancy(),
    KioskUptime(),
    ScannerUptime(),
    PrinterUptime(),
]
METRICS: dict[str, Metric] = {metric.key: metric for metric in [*CALL_METRICS, PartnerShares(), *TIME_METRICS]}


def dashboard_compute(*, period: Period, scope: Scope = NETWORK) -> dict[tuple, dict[str, Result]]:
    """The network dashboard's call figures: every call metric by month and partner, and for the whole period."""
    by_month = metrics_compute(CALL_METRICS, period=period, scope=scope, group_by=("month", "partner_id"))
    return {**by_month, **metrics_compute(CALL_METRICS, period=period, scope=scope)}

"""The observers' steering page (/statistiques/pilotage/): a quarter or a year, read only.

Trends: each key metric this period, the previous period and the same period a year earlier, the change in its
own unit (points for a rate) and its direction in words ("en hausse, amélioration"). The weakest points: the
metrics in alert, the sites with the lowest answer rate and the highest unavailability, the partners with the
lowest coverage, each with its n. The same tables make the PDF steering report.
"""

import datetime as dt
from collections.abc import Mapping

from django.utils import timezone
from django.utils.translation import gettext as _

from visiorelais.network.models import HostSite
from visiorelais.statistics import conf
from visiorelais.statistics.conf import MIN_SIGNIFICANT_N
from visiorelais.statistics.metrics import (
    CALL_METRICS,
    METRICS,
    AnswerRate,
    Requests,
    Result,
    UnavailabilityRate,
    metrics_compute,
)
from visiorelais.statistics.periods import Period, Scope
from visiorelais.statistics.reports.common import (
    metric_note,
    period_rows,
    shown,
    thresholds_text,
    weak_note,
)
from visiorelais.statistics.reports.network import key_figure_results, key_figures, partners, scope_label
from visiorelais.statistics.tables import DATE, INTEGER, NUMBER, Chart, Column, Table

# The metrics whose trend the committee follows, in the order shown.
TREND_METRICS = (
    "requests",
    "access_rate",
    "unavailability_rate",
    "answer_rate",
    "service_level",
    "wait_median",
    "abandon_rate",
    "satisfaction_top",
    "rating_response_rate",
    "coverage",
    "occupancy",
    "kiosk_uptime",
)
# A change smaller than this is "stable": in points for a rate, as a share of the earlier value otherwise.
STABLE_POINTS = 1.0
STABLE_SHARE = 0.05
# How many sites and partners the weakest points list.
WEAKEST = 5


def _compute(keys: tuple[str, ...], period: Period, now: dt.datetime) -> dict[str, Result]:
    call_keys = {metric.key for metric in CALL_METRICS}
    call_metrics = [METRICS[key] for key in keys if key in call_keys]
    found = dict(metrics_compute(call_metrics, period=period)[()]) if call_metrics else {}
    for key in keys:
        if key not in found:
            found[key] = METRICS[key].compute(period=period, now=now)
    return found


def direction(current: Result, earlier: Result) -> tuple[float | None, str]:
    """The change from `earlier` to `current` in the unit shown (points for a rate), and its direction in words:
    "stable", "en hausse" or "en baisse", with "amélioration" or "dégradation" when the metric has thresholds."""
    now_value, then_value = shown(current.value, current.unit), shown(earlier.value, earlier.unit)
    if now_value is None or then_value is None:
        return None, _("pas de comparaison possible")
    change = round(now_value - then_value, 1)
    stable = STABLE_POINTS if current.unit == "%" else abs(then_value) * STABLE_SHARE
    if abs(change) <= stable:
        words = _("stable")
    else:
        words = _("en hausse") if change > 0 else _("en baisse")
        if current.thresholds is not None:
            better = (change > 0) == current.thresholds.higher_is_better
            words += ", " + (_("amélioration") if better else _("dégradation"))
    if not (current.significant and earlier.significant):
        words += " " + _("(peu de données)")
    return change, words


def trends_table(period: Period, current: Mapping[str, Result], *, now: dt.datetime) -> Table:
    """Each of TREND_METRICS: `current` (the period's results by key, as key_figure_results gives them) against
    the previous period and the same period a year earlier."""
    previous, year_before = period.previous(), period.year_before()
    before = _compute(TREND_METRICS, previous, now)
    # For a year, the previous period is the year before: computed once.
    last_year = before if year_before == previous else _compute(TREND_METRICS, year_before, now)
    rows, weak = [], set()
    for index, key in enumerate(TREND_METRICS):
        result = current[key]
        change_previous, words_previous = direction(result, before[key])
        change_year, words_year = direction(result, last_year[key])
        rows.append(
            (
                result.name,
                result.unit,
                shown(result.value, result.unit),
                result.n,
                shown(before[key].value, result.unit),
                change_previous,
                words_previous,
                shown(last_year[key].value, result.unit),
                change_year,
                words_year,
            )
        )
        for column, found in (("valeur", result), ("precedente", before[key]), ("an_avant", last_year[key])):
            if not found.significant:
                weak.add((index, column))
    return Table(
        key="tendances",
        title=_("Tendances des indicateurs clés"),
        columns=[
            Column("indicateur", _("Indicateur")),
            Column("unite", _("Unité")),
            Column("valeur", period.label, NUMBER),
            Column("n", _("n (effectif)"), INTEGER),
            Column("precedente", previous.label, NUMBER),
            Column("ecart_precedente", _("Écart avec la période précédente"), NUMBER),
            Column("sens_precedente", _("Sens de l'évolution")),
            Column("an_avant", year_before.label, NUMBER),
            Column("ecart_an", _("Écart sur un an"), NUMBER),
            Column("sens_an", _("Sens de l'évolution sur un an")),
        ],
        rows=rows,
        period_label=period.label,
        scope_label=scope_label(),
        notes=[
            _(
                "Écarts dans l'unité de l'indicateur (en points pour un taux). Stable : écart d'au plus %(points)g "
                "point pour un taux, d'au plus %(share)d %% de la valeur antérieure sinon."
            )
            % {"points": STABLE_POINTS, "share": round(STABLE_SHARE * 100)},
            weak_note(),
            *[metric_note(METRICS[key]) for key in TREND_METRICS],
        ],
        weak=weak,
    )


def monthly_requests_table(period: Period) -> Table:
    """Requests month by month over the period and the same months a year earlier (two grouped queries)."""
    year_before = period.year_before()
    months = [Period.month(day.year, day.month) for day in period.days() if day.day == 1]
    now_counts = {
        key[0]: found["requests"].value
        for key, found in metrics_compute([Requests()], period=period, group_by=("month",)).items()
    }
    then_counts = {
        key[0]: found["requests"].value
        for key, found in metrics_compute([Requests()], period=year_before, group_by=("month",)).items()
    }
    rows = [
        (label, first, now_counts.get(first, 0), then_counts.get(first.replace(year=first.year - 1), 0))
        for label, first in period_rows(months)
    ]
    return Table(
        key="demandes-par-mois",
        title=_("Demandes par mois, comparées à un an plus tôt"),
        columns=[
            Column("periode", _("Mois")),
            Column("debut", _("Début"), DATE),
            Column("demandes", _("Demandes"), INTEGER, "appels"),
            Column("demandes_an_avant", _("Un an plus tôt"), INTEGER, "appels"),
        ],
        rows=rows,
        period_label=period.label,
        scope_label=scope_label(),
        notes=[metric_note(METRICS["requests"])],
        chart=Chart("line", x="periode", series=("demandes", "demandes_an_avant"), title=_("Demandes par mois")),
    )


def alerts_table(period: Period, results: Mapping[str, Result]) -> Table:
    """The key figures (`results`, as key_figure_results gives them) whose status is "alerte", with their
    thresholds."""
    rows = [
        (
            result.name,
            shown(result.value, result.unit),
            result.unit,
            result.n,
            thresholds_text(result.thresholds, result.unit),
        )
        for result in results.values()
        if result.status == "alerte"
    ]
    return Table(
        key="indicateurs-en-alerte",
        title=_("Indicateurs en alerte"),
        columns=[
            Column("indicateur", _("Indicateur")),
            Column("valeur", _("Valeur"), NUMBER),
            Column("unite", _("Unité")),
            Column("n", _("n (effectif)"), INTEGER),
            Column("seuils", _("Seuils")),
        ],
        rows=rows,
        period_label=period.label,
        scope_label=scope_label(),
        notes=[
            _("Indicateurs significatifs (n ≥ %(n)d) dont la valeur passe le seuil d'alerte.")
            % {"n": MIN_SIGNIFICANT_N}
        ],
    )


def _weakest_first(results: dict, key: str, *, higher_is_worse: bool) -> list:
    """Significant results first, the worst first; then the others (too few calls to judge)."""

    def order(item):
        result = item[1][key]
        value = result.value if result.value is not None else 0
        return (not result.significant, -value if higher_is_worse else value)

    return sorted(((k, v) for k, v in results.items() if v[key].value is not None), key=order)


def weakest_sites_tables(period: Period) -> list[Table]:
    metrics = [Requests(), AnswerRate(), UnavailabilityRate()]
    by_site = {key[0]: found for key, found in metrics_compute(metrics, period=period, group_by=("site_id",)).items()}
    names = dict(HostSite.objects.values_list("pk", "name"))
    columns = [
        Column("site", _("Site d'accueil")),
        Column("decroche", _("Taux de décroché"), NUMBER, "%", METRICS["answer_rate"].formula),
        Column("n_decroche", _("n (appels mis en attente)"), INTEGER),
        Column("indisponibilite", _("Taux d'indisponibilité"), NUMBER, "%", METRICS["unavailability_rate"].formula),
        Column("n_indisponibilite", _("n (demandes terminées)"), INTEGER),
        Column("demandes", _("Demandes"), INTEGER, "appels"),
    ]

    def table(key: str, title: str, ordered: list, metric_key: str) -> Table:
        rows, weak = [], set()
        for index, (site_id, found) in enumerate(ordered[:WEAKEST]):
            answer, unavailable = found["answer_rate"], found["unavailability_rate"]
            rows.append(
                (
                    names.get(site_id, "?"),
                    shown(answer.value, "%"),
                    answer.n,
                    shown(unavailable.value, "%"),
                    unavailable.n,
                    found["requests"].value,
                )
            )
            for column, result in (("decroche", answer), ("indisponibilite", unavailable)):
                if not result.significant:
                    weak.add((index, column))
        return Table(
            key=key,
            title=title,
            columns=columns,
            rows=rows,
            period_label=period.label,
            scope_label=scope_label(),
            notes=[
                _("Les %(count)d sites les plus faibles ; ceux de moins de %(n)d appels viennent après les autres.")
                % {"count": WEAKEST, "n": MIN_SIGNIFICANT_N},
                metric_note(METRICS[metric_key]),
                weak_note(),
            ],
            weak=weak,
        )

    return [
        table(
            "sites-plus-faible-decroche",
            _("Sites au plus faible taux de décroché"),
            _weakest_first(by_site, "answer_rate", higher_is_worse=False),
            "answer_rate",
        ),
        table(
            "sites-plus-forte-indisponibilite",
            _("Sites à la plus forte indisponibilité"),
            _weakest_first(by_site, "unavailability_rate", higher_is_worse=True),
            "unavailability_rate",
        ),
    ]


def weakest_partners_table(period: Period, *, now: dt.datetime) -> Table:
    coverage, presence = METRICS["coverage"], METRICS["station_presence"]
    found = {}
    for partner_id, name in partners():
        scope = Scope.partner(partner_id)
        found[name] = {
            "coverage": coverage.compute(period=period, scope=scope, now=now),
            "presence": presence.compute(period=period, scope=scope, now=now),
        }
    ordered = _weakest_first(found, "coverage", higher_is_worse=False)[:WEAKEST]
    rows = [
        (name, shown(r["coverage"].value, "%"), r["coverage"].n, shown(r["presence"].value, "h")) for name, r in ordered
    ]
    weak = {(index, "couverture") for index, (_name, r) in enumerate(ordered) if not r["coverage"].significant}
    return Table(
        key="partenaires-plus-faible-couverture",
        title=_("Partenaires à la plus faible couverture des horaires"),
        columns=[
            Column("partenaire", _("Partenaire")),
            Column("couverture", _("Couverture des horaires"), NUMBER, "%", coverage.formula),
            Column("n", _("n (plages de permanence)"), INTEGER),
            Column("presence", _("Présence des postes"), NUMBER, "h", presence.formula),
        ],
        rows=rows,
        period_label=period.label,
        scope_label=scope_label(),
        notes=[metric_note(coverage), metric_note(presence), weak_note()],
        weak=weak,
    )


def steering_tables(user, period: Period, *, now: dt.datetime | None = None) -> list[Table]:
    """The steering page's tables, in the order shown (the page's builder in the registry)."""
    now = now or timezone.now()
    # Every metric of the period, computed once: the trends, the alerts and the key figures read it.
    current = key_figure_results(period, now=now)
    return [
        trends_table(period, current, now=now),
        monthly_requests_table(period),
        alerts_table(period, current),
        *weakest_sites_tables(period),
        weakest_partners_table(period, now=now),
        key_figures(period, results=current),
    ]


def report_intro(period: Period) -> list[str]:
    """The steering report's opening paragraphs (French)."""
    return [
        _(
            "Ce rapport présente les chiffres du réseau Visio-relais pour la période : %(period)s, comparés à la "
            "période précédente et à la même période un an plus tôt, puis les points faibles du réseau."
        )
        % {"period": period.label},
        _(
            "Tous les chiffres sont calculés à partir du registre des appels ; un appel compte dans la période de "
            "sa demande (heure de Paris). Un taux ou une moyenne sur moins de %(n)d appels est signalé comme non "
            "significatif. Le niveau de service compte les appels décrochés en %(t)d secondes au plus."
        )
        % {"n": MIN_SIGNIFICANT_N, "t": conf.service_level_seconds()},
    ]

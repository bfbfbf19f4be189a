"""The partner supervisor's page: its own partner only, never another partner's figure.

Every table is computed over `Scope.partner(user.partner_id)`, or over the stations of that partner, so a
partner admin cannot reach another partner's number through this page or its exports.
"""

import datetime as dt

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from visiorelais.accounts.models import User
from visiorelais.calls.models import CallEvent
from visiorelais.network.models import HostSite, Station
from visiorelais.statistics import metrics
from visiorelais.statistics.periods import Period, Scope
from visiorelais.statistics.reports import common
from visiorelais.statistics.tables import INTEGER, NUMBER, Chart, Column, Table

# Up to this many days the trend goes week by week, beyond it month by month.
WEEKLY_UP_TO_DAYS = 92

KEY_FIGURES = [
    "requests",
    "answer_rate",
    "service_level",
    "service_level_answered",
    "service_level_abandons_in_t",
    "wait_mean",
    "wait_median",
    "wait_p90",
    "abandon_rate",
    "unavailable_closed_rate",
    "unavailable_unstaffed_rate",
    "talk_mean",
    "wrap_up_mean",
    "handle_mean",
    "offer_acceptance",
    "satisfaction_top",
    "satisfaction_mean",
    "rating_response_rate",
]
TIME_KEY_FIGURES = ["station_presence", "coverage", "occupancy"]
TREND = ["requests", "answer_rate", "service_level", "wait_mean", "wait_median", "wait_p90"]


def partner_tables(user: User, period: Period, *, now: dt.datetime | None = None) -> list[Table]:
    """The partner supervisor's tables over `period`, for the partner of `user` (a partner admin)."""
    now = now or timezone.now()
    partner = user.partner
    scope = Scope.partner(partner.pk)
    label = partner.name
    return [
        key_figures(scope, period, label, now=now),
        trend(scope, period, label),
        per_station(partner.pk, period, label, now=now),
        per_agent(partner.pk, period, label),
        per_site(scope, period, label),
        requests_heatmap(scope, period, label),
        coverage_heatmap(partner.pk, period, label, now=now),
        offer_acceptance_per_station(partner.pk, period, label),
    ]


# Cells: a metric's Result in a Table row (the rules themselves are in reports/common.py).


def empty_result(key: str, period: Period, scope: Scope) -> metrics.Result:
    # metrics_compute returns no group at all over an empty period: each figure is then "no value, n = 0".
    return metrics.METRICS[key].result(None, 0, period=period, scope=scope)


# The tables.


def key_figures(scope: Scope, period: Period, label: str, *, now: dt.datetime) -> Table:
    found = metrics.metrics_compute([metrics.METRICS[key] for key in KEY_FIGURES], period=period, scope=scope)
    results = [found.get((), {}).get(key) or empty_result(key, period, scope) for key in KEY_FIGURES]
    results += [metrics.METRICS[key].compute(period=period, scope=scope, now=now) for key in TIME_KEY_FIGURES]
    return common.key_figures_table(
        results, key="partenaire-chiffres-cles", title=_("Chiffres clés"), period=period, scope_label=label
    )


def grain(period: Period) -> str:
    """ "week" for a period of up to about three months, "month" beyond."""
    return "week" if (period.last - period.first).days < WEEKLY_UP_TO_DAYS else "month"


def trend(scope: Scope, period: Period, label: str) -> Table:
    """The period week by week (or month by month): requests, answer rate, service level and waits; a week or
    month without any request is a row of its own (0 requests, no rate)."""
    step = grain(period)
    wanted = [metrics.METRICS[key] for key in TREND]
    keys = [metric.key for metric in wanted]
    found = metrics.metrics_compute(wanted, period=period, scope=scope, group_by=(step,))
    weekly = step == "week"
    table = common.metric_table(
        key="partenaire-par-semaine" if weekly else "partenaire-par-mois",
        title=_("Évolution semaine par semaine") if weekly else _("Évolution mois par mois"),
        head=common.period_columns(),
        metrics=wanted,
        period=period,
        scope_label=label,
        chart=Chart("line", "periode", ("answer_rate", "service_level"), _("Taux de décroché et niveau de service")),
    )
    for row_label, first in common.period_rows(common.periods_between(step, period.first, period.last)):
        results = found.get((first,))
        if results is None:
            results = {key: empty_result(key, period, scope) for key in keys}
            results["requests"] = metrics.METRICS["requests"].result(0, 0, period=period, scope=scope)
        common.append_metric_row(table, [row_label, first], [results[key] for key in keys], keys)
    return table


def _stations(partner_id: int, *, with_data: set[int]) -> list[tuple[int, str]]:
    """The partner's stations in service, and those out of service with figures in the period."""
    stations = Station.objects.filter(partner_id=partner_id).order_by("label", "pk")
    return [
        (pk, label) for pk, label, active in stations.values_list("pk", "label", "active") if active or pk in with_data
    ]


def per_station(partner_id: int, period: Period, label: str, *, now: dt.datetime) -> Table:
    """Presence (hours staffed), occupancy and calls answered, one row per station of the partner."""
    scope = Scope.partner(partner_id)
    times = common.station_times([partner_id], period, now=now)
    answered = common.answered_by_station(period, scope)
    occupancy = metrics.METRICS["occupancy"]
    presence = metrics.METRICS["station_presence"]
    table = Table(
        key="partenaire-par-poste",
        title=_("Présence, occupation et appels décrochés par poste"),
        columns=[
            Column("station", _("Poste")),
            Column("presence_hours", presence.name, NUMBER, "h", presence.formula),
            common.metric_column(occupancy),
            Column("calls_answered", _("Appels décrochés"), INTEGER, "appels"),
        ],
        rows=[],
        period_label=period.label,
        scope_label=label,
        notes=[common.weak_note()],
        chart=Chart("bar", "station", ("presence_hours",), _("Heures de présence par poste")),
    )
    for station_id, station_label in _stations(partner_id, with_data={*times, *answered}):
        time = times.get(station_id, common.StationTime())
        rate = occupancy.result(time.occupancy, time.sessions, period=period, scope=scope)
        common.append_metric_row(table, [station_label, round(time.staffed / 3600, 2)], [rate], [occupancy.key])
        table.rows[-1] = (*table.rows[-1], answered.get(station_id, 0))
    return table


def per_agent(partner_id: int, period: Period, label: str) -> Table:
    """Calls answered and mean handle time of each agent of the partner (the facts name the agent who answered)."""
    wanted = [metrics.METRICS[key] for key in ("talk_mean", "wrap_up_mean", "handle_mean")]
    found = metrics.metrics_compute(
        [metrics.METRICS["requests"], *wanted], period=period, scope=Scope.partner(partner_id), group_by=("agent_id",)
    )
    names = {
        user.pk: str(user) for user in User.objects.filter(partner_id=partner_id, pk__in=[k[0] for k in found if k[0]])
    }
    table = common.metric_table(
        key="partenaire-par-agent",
        title=_("Appels décrochés et durée de traitement par agent"),
        head=[Column("agent", _("Agent")), Column("calls_answered", _("Appels décrochés"), INTEGER, "appels")],
        metrics=wanted,
        period=period,
        scope_label=label,
        chart=Chart("bar", "agent", ("calls_answered",), _("Appels décrochés par agent")),
    )
    rows = sorted(
        ((names[agent_id], results) for (agent_id,), results in found.items() if agent_id in names),
        key=lambda item: item[0],
    )
    for name, results in rows:
        common.append_metric_row(
            table,
            [name, results["requests"].value],
            [results[m.key] for m in wanted],
            [m.key for m in wanted],
        )
    return table


def per_site(scope: Scope, period: Period, label: str) -> Table:
    wanted = [metrics.METRICS[key] for key in ("requests", "answer_rate", "service_level", "wait_mean")]
    found = metrics.metrics_compute(wanted, period=period, scope=scope, group_by=("site_id",))
    names = dict(HostSite.objects.filter(pk__in=[key[0] for key in found]).values_list("pk", "name"))
    table = common.metric_table(
        key="partenaire-par-site",
        title=_("Demandes et taux de décroché par site d'accueil"),
        head=[Column("site", _("Site d'accueil"))],
        metrics=wanted,
        period=period,
        scope_label=label,
        chart=Chart("bar", "site", ("requests",), _("Demandes par site d'accueil")),
    )
    for name, results in sorted((names[site_id], results) for (site_id,), results in found.items()):
        common.append_metric_row(table, [name], [results[m.key] for m in wanted], [m.key for m in wanted])
    return table


def requests_heatmap(scope: Scope, period: Period, label: str) -> Table:
    return common.requests_heatmap_table(period, scope, key="partenaire-demandes-heure-semaine", scope_label=label)


def coverage_heatmap(partner_id: int, period: Period, label: str, *, now: dt.datetime) -> Table:
    return common.coverage_heatmap_table(
        period, [partner_id], key="partenaire-couverture-heure-semaine", scope_label=label, now=now
    )


def offer_results(call_ids, group: str, **where) -> dict:
    """{(value of `group`, kind): number of offers} for the offers of `call_ids` (a queryset of call ids) that
    match `where`, counted on the CallEvent record: the call facts count offer results per call, not per
    station or agent. Reading only calls that have a fact keeps these counts as fresh as the facts."""
    kinds = (CallEvent.Kind.ACCEPTED, CallEvent.Kind.DECLINED, CallEvent.Kind.RING_TIMEOUT)
    rows = (
        CallEvent.objects.filter(call_id__in=call_ids, kind__in=kinds, **where)
        .values(group, "kind")
        .annotate(n=Count("id"))
        .order_by()
        .values_list(group, "kind", "n")
    )
    return {(key, kind): n for key, kind, n in rows}


def offer_acceptance_per_station(partner_id: int, period: Period, label: str) -> Table:
    found = offer_results(metrics.call_facts(period, Scope.partner(partner_id)).values("call_id"), "station_id")
    acceptance = metrics.METRICS["offer_acceptance"]
    table = Table(
        key="partenaire-acceptation-par-poste",
        title=_("Acceptation des propositions par poste"),
        columns=[
            Column("station", _("Poste")),
            Column("offers_accepted", _("Propositions acceptées"), INTEGER),
            Column("offers_declined", _("Propositions refusées"), INTEGER),
            Column("offers_timed_out", _("Propositions non décrochées"), INTEGER),
            common.metric_column(acceptance),
        ],
        rows=[],
        period_label=period.label,
        scope_label=label,
        notes=[
            common.weak_note(),
            _("Les propositions annulées (l'usager est parti pendant la sonnerie) ne comptent pas."),
        ],
        chart=Chart(
            "stacked",
            "station",
            ("offers_accepted", "offers_declined", "offers_timed_out"),
            _("Propositions par poste et par résultat"),
        ),
    )
    scope = Scope.partner(partner_id)
    for station_id, station_label in _stations(partner_id, with_data={key for key, _kind in found}):
        accepted, declined, timed_out = (
            found.get((station_id, kind), 0)
            for kind in (CallEvent.Kind.ACCEPTED, CallEvent.Kind.DECLINED, CallEvent.Kind.RING_TIMEOUT)
        )
        offered = accepted + declined + timed_out
        rate = acceptance.result(accepted / offered if offered else None, offered, period=period, scope=scope)
        common.append_metric_row(table, [station_label, accepted, declined, timed_out], [rate], [acceptance.key])
    return table

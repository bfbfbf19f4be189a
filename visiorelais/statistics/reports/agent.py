"""The agent's own day: its calls, times, ratings, offers and station time. Only rows naming the agent
(CallFact.agent_id, StationInterval.agent_id, CallEvent.agent_id equal to the user) are read.

The figures come from the derived tables, which lag the live record by up to the refresh interval: the page
says when they were last refreshed. A call taken since then appears at the next refresh; it is not read from
the live record, so that every figure on the page stands at the same moment.
"""

import datetime as dt
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from visiorelais.accounts.models import User
from visiorelais.calls.models import CallEvent, StationPresence
from visiorelais.lifespan import STATS_REFRESH_INTERVAL_SECONDS
from visiorelais.statistics import metrics, selectors
from visiorelais.statistics.models import CallFact, StationInterval
from visiorelais.statistics.periods import PARIS, Period, Scope
from visiorelais.statistics.reports import common
from visiorelais.statistics.reports.common import append_metric_row, metric_column
from visiorelais.statistics.reports.partner import offer_results
from visiorelais.statistics.tables import INTEGER, NUMBER, Chart, Column, Table

State = StationPresence.State
DAY_FIGURES = ["talk_mean", "wrap_up_mean", "handle_mean", "satisfaction_top", "satisfaction_mean"]
STATE_ORDER = [State.AVAILABLE, State.RINGING, State.BUSY, State.WRAP_UP, State.PAUSED]


def freshness_note() -> str:
    """When the derived tables were last brought up to the record, in French, for the page and its exports."""
    refreshed = selectors.last_refresh()
    every = round(STATS_REFRESH_INTERVAL_SECONDS / 60) or 1
    if refreshed is None:
        return _("Les chiffres n'ont pas encore été calculés : ils le seront à la prochaine mise à jour.")
    local = refreshed.astimezone(PARIS)
    return _(
        "Chiffres mis à jour le %(day)s à %(time)s (heure de Paris). Les appels plus récents apparaîtront à la "
        "prochaine mise à jour (toutes les %(every)d minutes environ)."
    ) % {"day": f"{local:%d/%m/%Y}", "time": f"{local:%H:%M}", "every": every}


def agent_tables(user: User, period: Period, *, now: dt.datetime | None = None) -> list[Table]:
    """The tables of `user`'s own work over `period` (a day, by default today)."""
    now = now or timezone.now()
    note = freshness_note()
    label = str(user)
    tables = [my_day(user, period, label), my_hours(user, period, label), my_station_time(user, period, label, now)]
    for table in tables:
        table.notes.insert(0, note)
    return tables


def _my_facts(user: User, period: Period):
    return CallFact.objects.filter(agent_id=user.pk, day__gte=period.first, day__lte=period.last)


def my_day(user: User, period: Period, label: str) -> Table:
    # Grouped by agent over the network, then only this agent's group is kept: the facts carry the agent who
    # answered, and metrics_compute scopes by partner, site or kiosk only.
    wanted = [metrics.METRICS[key] for key in ("requests", *DAY_FIGURES)]
    mine = metrics.metrics_compute(wanted, period=period, group_by=("agent_id",)).get((user.pk,), {})
    scope = Scope.network()
    results = [mine.get(metric.key) or metric.result(None, 0, period=period, scope=scope) for metric in wanted]
    answered = int(results[0].value or 0)
    results[0] = _count_result(
        "calls_answered", _("Appels décrochés"), answered, _("appels que vous avez décrochés"), period
    )
    calls = CallFact.objects.filter(day__gte=period.first, day__lte=period.last).values("call_id")
    offers = offer_results(calls, "agent_id", agent_id=user.pk)
    results.append(
        _count_result(
            "offers_declined",
            _("Propositions refusées"),
            offers.get((user.pk, CallEvent.Kind.DECLINED), 0),
            _("appels proposés à votre poste que vous avez refusés"),
            period,
        )
    )
    results.append(
        _count_result(
            "offers_timed_out",
            _("Propositions non décrochées"),
            offers.get((user.pk, CallEvent.Kind.RING_TIMEOUT), 0),
            _("appels proposés à votre poste qui ont sonné sans réponse"),
            period,
        )
    )
    table = common.key_figures_table(
        results, key="agent-ma-journee", title=_("Ma journée"), period=period, scope_label=label
    )
    rated = results[1 + DAY_FIGURES.index("satisfaction_top")]
    table.notes.append(
        _("Évaluations reçues : %(n)d ; « meilleurs visages » : les deux meilleurs sur cinq.") % {"n": rated.n}
    )
    return table


def _count_result(key: str, name: str, count: int, formula: str, period: Period) -> metrics.Result:
    return metrics.Result(key, name, count, count, "appels", formula, None, period, Scope.network())


def my_hours(user: User, period: Period, label: str) -> Table:
    """The calls the agent answered, hour by hour of the request (Paris time)."""
    by_hour: dict[int, list[float]] = defaultdict(list)
    for requested_at, talk in _my_facts(user, period).values_list("requested_at", "talk_seconds"):
        by_hour[requested_at.astimezone(PARIS).hour].append(talk)
    talk_mean = metrics.METRICS["talk_mean"]
    table = Table(
        key="agent-par-heure",
        title=_("Mes appels heure par heure"),
        columns=[
            Column("hour", _("Heure")),
            Column("calls_answered", _("Appels décrochés"), INTEGER, "appels"),
            metric_column(talk_mean),
        ],
        rows=[],
        period_label=period.label,
        scope_label=label,
        chart=Chart("bar", "hour", ("calls_answered",), _("Appels décrochés par heure")),
    )
    for hour in sorted(by_hour):
        talks = [talk for talk in by_hour[hour] if talk is not None]
        mean = talk_mean.result(sum(talks) / len(talks) if talks else None, len(talks), period=period, scope=Scope())
        append_metric_row(table, [f"{hour} h", len(by_hour[hour])], [mean], [talk_mean.key])
    return table


def my_station_time(user: User, period: Period, label: str, now: dt.datetime) -> Table:
    """Time the agent's station spent in each seated state (the intervals naming the agent), clipped to the
    period; a state still running counts up to now."""
    seconds: dict[str, float] = defaultdict(float)
    rows = (
        StationInterval.objects.filter(agent_id=user.pk, start__lt=period.end)
        .filter(Q(end__isnull=True) | Q(end__gt=period.start))
        .values_list("state", "start", "end")
    )
    for state, start, end in rows:
        start, end = max(start, period.start), min(end or now, period.end, now)
        if start < end:
            seconds[state] += (end - start).total_seconds()
    seated = sum(seconds[state] for state in STATE_ORDER)
    table = Table(
        key="agent-temps-par-etat",
        title=_("Temps de mon poste par état"),
        columns=[
            Column("state", _("État")),
            Column("minutes", _("Durée"), NUMBER, "min"),
            Column("share", _("Part du temps au poste"), NUMBER, "%"),
        ],
        rows=[],
        period_label=period.label,
        scope_label=label,
        chart=Chart("bar", "state", ("minutes",), _("Minutes par état")),
    )
    for state in STATE_ORDER:
        share = round(seconds[state] / seated * 100, 1) if seated else None
        table.rows.append((str(State(state).label), round(seconds[state] / 60, 1), share))
    return table

"""Helpers that turn metric results into Tables (statistics/tables.py), shared by every page's builder.

A page's builder is a function `(user, period) -> list[Table]` (see statistics/views/registry.py). It computes
results with `visiorelais.statistics.metrics` and hands them to the helpers below, which apply the screen rules
once for all pages:

- a rate leaves a Result as a fraction (0.778) and a Table as percent (77.8), rounded to 0.1 (`shown`);
- a rate or mean over fewer than MIN_SIGNIFICANT_N calls is a weak cell (greyed on screen, flagged in exports),
  and has no status;
- every table says its period and scope, and its notes give the formula, thresholds and n of what it shows.

    key_figures_table(results, key=, title=, period=, scope_label=)   one row per metric (value, unit, n, status)
    period_partner_table(grouped, metric=, periods=, partners=, …)    one row per period, one column per partner
    metric_table(…) + append_metric_row(…)                          leading columns, then one column per metric
    matrix_table(…), hour_of_week_table(…)                            two-way tables (shaded as heatmaps on screen)
    requests_heatmap_table(period, scope, …)                          requests per hour of the week
    coverage_heatmap_table(period, partner_ids, …)                    coverage of the service windows, same cut
    station_times(…), answered_by_station(…)                          per station: time by state, calls answered
    metric_note(metric), thresholds_text(metric)                      the French text of a formula and thresholds
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Count
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from visiorelais.calls.models import StationPresence
from visiorelais.network.models import Station
from visiorelais.statistics import selectors
from visiorelais.statistics.conf import MIN_SIGNIFICANT_N
from visiorelais.statistics.metrics import METRICS, Metric, Result, Thresholds, call_facts
from visiorelais.statistics.periods import PARIS, Period, Scope
from visiorelais.statistics.tables import DATE, INTEGER, NUMBER, Chart, Column, Table


def weak_note() -> str:
    return _("Valeurs grisées : calculées sur moins de %(n)d appels (n < %(n)d), elles ne sont pas significatives.") % {
        "n": MIN_SIGNIFICANT_N
    }


def shown(value: float | None, unit: str) -> float | int | None:
    """A result's value as a Table holds it: percent for a rate, rounded to 0.1; counts as integers."""
    if value is None:
        return None
    if unit == "%":
        return round(value * 100, 1)
    if unit == "appels":
        return int(value)
    return round(float(value), 1)


def _bound(value: float, unit: str) -> str:
    return f"{value * 100:g} %" if unit == "%" else f"{value:g} {unit}".rstrip()


def thresholds_text(thresholds: Thresholds | None, unit: str) -> str:
    """ "bon ≥ 90 %, alerte < 80 %" (in the unit shown), or "" without thresholds."""
    if thresholds is None:
        return ""
    better, worse = ("≥", "<") if thresholds.higher_is_better else ("≤", ">")
    return _("bon %(better)s %(good)s, alerte %(worse)s %(alert)s") % {
        "better": better,
        "good": _bound(thresholds.good, unit),
        "worse": worse,
        "alert": _bound(thresholds.alert, unit),
    }


def metric_note(metric: Metric | Result) -> str:
    """ "Taux de décroché : appels décrochés / … ; seuils : bon ≥ 90 %, alerte < 80 %"."""
    note = f"{metric.name} : {metric.formula}"
    thresholds = thresholds_text(metric.thresholds, metric.unit)
    return f"{note} ; {_('seuils')} : {thresholds}" if thresholds else note


def status_text(result: Result) -> str | None:
    if not result.significant:
        return _("non significatif")
    return result.status


def key_figures_table(
    results: Mapping[str, Result] | Iterable[Result],
    *,
    key: str,
    title: str,
    period: Period,
    scope_label: str,
    names: Mapping[str, str] | None = None,
) -> Table:
    """One row per result: indicator, value (in its unit), unit, n, status; the formulas and thresholds in the
    notes, the value greyed when the result is not significant. `names` renames rows by result key (e.g. the
    partner of a share)."""
    items = list(results.items()) if isinstance(results, Mapping) else [(r.key, r) for r in results]
    names = names or {}
    rows, weak, notes = [], set(), []
    for index, (row_key, result) in enumerate(items):
        rows.append(
            (
                names.get(row_key, result.name),
                shown(result.value, result.unit),
                result.unit,
                result.n,
                status_text(result),
            )
        )
        if not result.significant:
            weak.add((index, "valeur"))
        note = metric_note(result)
        if note not in notes:
            notes.append(note)
    return Table(
        key=key,
        title=title,
        columns=[
            Column("indicateur", _("Indicateur")),
            Column("valeur", _("Valeur"), NUMBER),
            Column("unite", _("Unité")),
            Column("n", _("n (effectif)"), INTEGER, description=_("dénominateur du taux, ou nombre d'appels moyennés")),
            Column("statut", _("Statut"), description=_("bon, à surveiller ou alerte, selon les seuils")),
        ],
        rows=rows,
        period_label=period.label,
        scope_label=scope_label,
        notes=[weak_note(), *notes],
        weak=weak,
    )


def period_rows(periods: list[Period]) -> list[tuple[str, dt.date]]:
    """The two leading cells of a by-period row: its French label and its first day."""
    return [(period.label, period.first) for period in periods]


def period_columns() -> list[Column]:
    return [Column("periode", _("Période")), Column("debut", _("Début"), DATE)]


def period_partner_table(
    grouped: Mapping[tuple, Mapping[str, Result]],
    totals: Mapping[tuple, Mapping[str, Result]],
    *,
    metric: Metric,
    periods: list[Period],
    partners: list[tuple[int, str]],
    key: str,
    title: str,
    period_label: str,
    scope_label: str,
    chart: str = "line",
) -> Table:
    """One row per period, one column per partner, and the whole scope last (with its n for a rate).

    `grouped` is metrics_compute(…, group_by=("month" or "week", "partner_id")) over the periods' span, `totals`
    the same grouped by the period field alone; `periods` are the months or weeks in order, `partners` (id, short
    name) pairs. A missing group is 0 for a count and no value for a rate."""
    is_count = metric.unit == "appels"
    unit = metric.unit
    columns = period_columns()
    columns += [Column(f"p{pid}", name, INTEGER if is_count else NUMBER, unit) for pid, name in partners]
    columns.append(Column("ensemble", _("Ensemble"), INTEGER if is_count else NUMBER, unit))
    if not is_count:
        columns.append(Column("n", _("n (ensemble)"), INTEGER))
    rows, weak = [], set()
    for row_index, (label, first) in enumerate(period_rows(periods)):
        row: list = [label, first]
        for pid, _name in partners:
            result = grouped.get((first, pid), {}).get(metric.key)
            row.append(_cell(result, is_count, weak, row_index, f"p{pid}"))
        total = totals.get((first,), {}).get(metric.key)
        row.append(_cell(total, is_count, weak, row_index, "ensemble"))
        if not is_count:
            row.append(total.n if total else 0)
        rows.append(tuple(row))
    series = tuple(f"p{pid}" for pid, _name in partners) + (() if is_count else ("ensemble",))
    return Table(
        key=key,
        title=title,
        columns=columns,
        rows=rows,
        period_label=period_label,
        scope_label=scope_label,
        notes=[metric_note(metric)] + ([] if is_count else [weak_note()]),
        weak=weak,
        chart=Chart("stacked" if is_count and chart == "stacked" else chart, x="periode", series=series, title=title),
    )


def _cell(result: Result | None, is_count: bool, weak: set, row_index: int, column: str):
    if result is None:
        return 0 if is_count else None
    if not result.significant:
        weak.add((row_index, column))
    return shown(result.value, result.unit)


def matrix_table(
    values: Mapping[tuple[int, int], Result],
    *,
    rows: list[tuple[int, str]],
    columns: list[tuple[int, str]],
    row_title: str,
    unit: str,
    key: str,
    title: str,
    period_label: str,
    scope_label: str,
    notes: list[str],
    totals: Mapping[int, Result] | None = None,
    heatmap: bool = True,
) -> Table:
    """A two-way table (e.g. sites × partners) of one metric: `values[(row id, column id)]`, with an optional
    last column of row totals. Counts are 0 where no call was made; rates have no value there."""
    is_count = unit == "appels"
    kind = INTEGER if is_count else NUMBER
    cols = [Column("ligne", row_title)] + [Column(f"c{cid}", name, kind, unit) for cid, name in columns]
    if totals is not None:
        cols.append(Column("ensemble", _("Ensemble"), kind, unit))
    table_rows, weak = [], set()
    for row_index, (rid, name) in enumerate(rows):
        row: list = [name]
        for cid, _name in columns:
            row.append(_cell(values.get((rid, cid)), is_count, weak, row_index, f"c{cid}"))
        if totals is not None:
            row.append(_cell(totals.get(rid), is_count, weak, row_index, "ensemble"))
        table_rows.append(tuple(row))
    series = tuple(f"c{cid}" for cid, _name in columns)
    return Table(
        key=key,
        title=title,
        columns=cols,
        rows=table_rows,
        period_label=period_label,
        scope_label=scope_label,
        notes=notes + ([] if is_count else [weak_note()]),
        weak=weak,
        chart=Chart("heatmap", x="ligne", series=series, title=title) if heatmap else None,
    )


WEEKDAY_KEYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def hour_of_week_table(
    value: Callable[[int], tuple[float | int | None, bool]],
    *,
    unit: str,
    key: str,
    title: str,
    period_label: str,
    scope_label: str,
    notes: list[str],
    hours: Iterable[int] = range(24),
) -> Table:
    """One row per hour of the day (Paris), one column per weekday: `value(hour_of_week)` gives (the cell as a
    Table holds it, whether it is weak), hour_of_week = weekday × 24 + hour, 0 = Monday 0 h. Drawn as a heatmap:
    the table's cells shaded, their values printed."""
    kind = INTEGER if unit == "appels" else NUMBER
    columns = [Column("heure", _("Heure"))] + [
        Column(day_key, str(WEEKDAYS[index]).capitalize(), kind, unit) for index, day_key in enumerate(WEEKDAY_KEYS)
    ]
    rows, weak = [], set()
    for row_index, hour in enumerate(hours):
        row: list = [_("%(from)d h – %(to)d h") % {"from": hour, "to": hour + 1}]
        for weekday, day_key in enumerate(WEEKDAY_KEYS):
            cell, is_weak = value(weekday * 24 + hour)
            row.append(cell)
            if is_weak:
                weak.add((row_index, day_key))
        rows.append(tuple(row))
    return Table(
        key=key,
        title=title,
        columns=columns,
        rows=rows,
        period_label=period_label,
        scope_label=scope_label,
        notes=notes,
        weak=weak,
        chart=Chart("heatmap", x="heure", series=WEEKDAY_KEYS, title=title),
    )


def periods_between(kind: str, first: dt.date, last: dt.date) -> list[Period]:
    """The weeks or months (kind "week" / "month") from the one holding `first` to the one holding `last`."""
    found = []
    period = Period.containing(kind, first)
    while period.first <= last:
        found.append(period)
        period = Period.containing(kind, period.last + dt.timedelta(days=1))
    return found


def last_periods(period: Period, count: int) -> list[Period]:
    """`count` periods of the kind of `period`, ending with it, oldest first."""
    found = [period]
    while len(found) < count:
        found.insert(0, found[0].previous())
    return found


# Hour-of-week heatmaps (requests and coverage), for the network and for one partner.


def _hours_shown(found_hours: Iterable[int]) -> range:
    """The hours of the day worth a row: from the earliest to the latest with data (8 h to 18 h without)."""
    hours = {hour_of_week % 24 for hour_of_week in found_hours}
    return range(min(hours), max(hours) + 1) if hours else range(8, 19)


def requests_heatmap_table(period: Period, scope: Scope, *, key: str, scope_label: str) -> Table:
    """Requests per hour of the week (Paris wall clock), in one grouped query."""
    counts = dict(
        call_facts(period, scope).values("hour_of_week").annotate(n=Count("call_id")).values_list("hour_of_week", "n")
    )
    return hour_of_week_table(
        lambda hour_of_week: (counts.get(hour_of_week, 0), False),
        unit="appels",
        key=key,
        title=_("Demandes par heure de la semaine"),
        period_label=period.label,
        scope_label=scope_label,
        notes=[
            _("Nombre de demandes d'appel selon le jour et l'heure de la demande (heure de Paris)."),
            _("n = %(n)d demandes.") % {"n": sum(counts.values())},
        ],
        hours=_hours_shown(counts),
    )


def hour_slices(start: dt.datetime, end: dt.datetime) -> Iterable[tuple[int, dt.date, float]]:
    """(hour of the week in Paris, Paris day, seconds) for each clock hour an interval overlaps. Paris is a whole
    number of hours from UTC, so Paris hours start on UTC hours; the two 2 h hours of the fall-back day fall in
    the same hour of the week."""
    at = start
    while at < end:
        local = at.astimezone(PARIS)
        next_hour = at.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
        stop = min(end, next_hour)
        yield local.weekday() * 24 + local.hour, local.date(), (stop - at).total_seconds()
        at = stop


def coverage_by_hour_of_week(
    partner_ids: list[int], period: Period, *, now: dt.datetime
) -> dict[int, tuple[float, float, int]]:
    """hour of the week → (covered seconds, opening seconds, opening stretches), over the partners' service
    windows: as `Coverage` computes it (time with ≥ 1 station of the partner staffed / service-window time), cut
    by the hour of the week. A stretch is one partner's opening within one hour of one day."""
    states = selectors.station_state_intervals(partner_ids=partner_ids, period=period, now=now)
    station_partner = dict(Station.objects.filter(partner_id__in=partner_ids).values_list("pk", "partner_id"))
    covered: dict[int, float] = defaultdict(float)
    opening: dict[int, float] = defaultdict(float)
    stretches: dict[int, set] = defaultdict(set)
    staffed_states = set(StationPresence.STAFFED_STATES)
    for partner_id in partner_ids:
        windows = selectors.partner_open_intervals(partner_id=partner_id, period=period)
        staffed = selectors.union(
            interval
            for (station_id, state), intervals in states.items()
            if state in staffed_states and station_partner.get(station_id) == partner_id
            for interval in intervals
        )
        for start, end in windows:
            for hour_of_week, day, seconds in hour_slices(start, end):
                opening[hour_of_week] += seconds
                stretches[hour_of_week].add((partner_id, day))
        for start, end in selectors.intersect(windows, staffed):
            for hour_of_week, _day, seconds in hour_slices(start, end):
                covered[hour_of_week] += seconds
    return {how: (covered[how], opening[how], len(stretches[how])) for how in opening}


def coverage_heatmap_table(
    period: Period, partner_ids: list[int], *, key: str, scope_label: str, now: dt.datetime
) -> Table:
    """Coverage of the service windows per hour of the week; no value where no partner is open. A cell over
    fewer than MIN_SIGNIFICANT_N stretches (partner × day) is weak."""
    found = coverage_by_hour_of_week(partner_ids, period, now=now)

    def value(hour_of_week: int) -> tuple[float | None, bool]:
        if hour_of_week not in found:
            return None, False
        covered, opening, stretches = found[hour_of_week]
        return shown(covered / opening if opening else None, "%"), stretches < MIN_SIGNIFICANT_N

    coverage = METRICS["coverage"]
    return hour_of_week_table(
        value,
        unit="%",
        key=key,
        title=_("Couverture des horaires par heure de la semaine"),
        period_label=period.label,
        scope_label=scope_label,
        notes=[
            metric_note(coverage),
            _("n d'une case : plages (un partenaire, un jour) ouvertes à cette heure ; « — » : aucune plage."),
            weak_note(),
        ],
        hours=_hours_shown(found),
    )


def metric_column(metric: Metric, *, key: str = "") -> Column:
    kind = INTEGER if metric.unit == "appels" else NUMBER
    return Column(key or metric.key, metric.name, kind, metric.unit, metric_note(metric))


def metric_table(
    *,
    key: str,
    title: str,
    head: list[Column],
    metrics: list[Metric],
    period: Period,
    scope_label: str,
    chart: Chart | None = None,
    notes: Iterable[str] = (),
) -> Table:
    """An empty table of `head` columns then one column per metric (keyed by the metric's key), noting the rule
    of weak values first; its rows are added with append_metric_row."""
    return Table(
        key=key,
        title=title,
        columns=[*head, *[metric_column(metric) for metric in metrics]],
        rows=[],
        period_label=period.label,
        scope_label=scope_label,
        notes=[weak_note(), *notes],
        chart=chart,
    )


def append_metric_row(table: Table, head: list, results: list[Result | None], keys: list[str]) -> None:
    """Appends `head` + the values of `results` (under the column keys `keys`), greying the weak ones."""
    index = len(table.rows)
    for key, result in zip(keys, results, strict=True):
        if result is not None and result.value is not None and not result.significant:
            table.weak.add((index, key))
    table.rows.append((*head, *(shown(r.value, r.unit) if r else None for r in results)))


# Per station: time by state and calls answered (the network's and a partner's station tables).


@dataclass(frozen=True)
class StationTime:
    """A station's seconds within a period, split as `Occupancy` and `StationPresenceHours` split them."""

    staffed: float = 0.0  # in any staffed state (available, ringing, busy, wrap-up, paused)
    working: float = 0.0  # busy and wrap-up
    ready: float = 0.0  # staffed but not paused: working, available and ringing
    sessions: int = 0  # stretches available: the n of occupancy

    @property
    def occupancy(self) -> float | None:
        return self.working / self.ready if self.ready else None


def station_times(partner_ids: Iterable[int], period: Period, *, now: dt.datetime) -> dict[int, StationTime]:
    """station id → its StationTime over the period, for the stations of `partner_ids` that spent time in any
    state (a station without any is absent: StationTime() is its zero)."""
    states = selectors.station_state_intervals(partner_ids=partner_ids, period=period, now=now)
    seconds: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    sessions: dict[int, int] = defaultdict(int)
    for (station_id, state), intervals in states.items():
        seconds[station_id][state] += selectors.seconds(intervals)
        if state == StationPresence.State.AVAILABLE:
            sessions[station_id] += len(intervals)
    State = StationPresence.State
    times = {}
    for station_id, spent in seconds.items():
        working = spent[State.BUSY] + spent[State.WRAP_UP]
        times[station_id] = StationTime(
            staffed=sum(spent[state] for state in StationPresence.STAFFED_STATES),
            working=working,
            ready=working + spent[State.AVAILABLE] + spent[State.RINGING],
            sessions=sessions[station_id],
        )
    return times


def answered_by_station(period: Period, scope: Scope) -> dict[int, int]:
    """station id → calls answered there over the period and scope, in one grouped query."""
    return dict(
        call_facts(period, scope)
        .filter(answered=True, station_id__isnull=False)
        .values("station_id")
        .annotate(n=Count("call_id"))
        .order_by()
        .values_list("station_id", "n")
    )

"""The operator's network page (/statistiques/reseau/): the whole network by month or by week.

Every call figure is a grouped query on CallFact (indexed by day and partner, site or kiosk): one query for the
key figures, two for the trend by period and partner, two for the site × partner matrix, one for the requests by
hour of the week. Time figures read StationInterval over the partners' service windows.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from visiorelais.calls.models import Call, CallEvent, KioskPresence, KioskPresenceEvent, StationEvent
from visiorelais.network.models import HostSite, Kiosk, Partner, Station
from visiorelais.statistics.conf import MIN_SIGNIFICANT_N
from visiorelais.statistics.metrics import (
    CALL_METRICS,
    METRICS,
    TIME_METRICS,
    AnswerRate,
    PartnerShares,
    Requests,
    Result,
    call_facts,
    metrics_compute,
)
from visiorelais.statistics.models import CallFact, StatisticsRefresh
from visiorelais.statistics.periods import Period, Scope
from visiorelais.statistics.reports.common import (
    StationTime,
    answered_by_station,
    coverage_heatmap_table,
    key_figures_table,
    last_periods,
    matrix_table,
    metric_note,
    period_partner_table,
    requests_heatmap_table,
    shown,
    station_times,
    weak_note,
)
from visiorelais.statistics.tables import DATETIME, INTEGER, NUMBER, STRING, Chart, Column, Table

NETWORK = Scope.network()
# How many months (or weeks) the trend tables show, ending with the chosen one.
TREND_LENGTH = 12
# Data quality: a call still open this long after its request is stuck; a station or kiosk in service that sent
# nothing for this long is worth a look.
OPEN_CALL_AGE = dt.timedelta(hours=2)
STATION_SILENCE = dt.timedelta(days=14)
KIOSK_SILENCE = dt.timedelta(days=3)


def scope_label() -> str:
    return _("Réseau")


def partners() -> list[tuple[int, str]]:
    return list(Partner.objects.order_by("short_name").values_list("pk", "short_name"))


def key_figure_results(period: Period, *, now: dt.datetime) -> dict[str, Result]:
    """Every metric of METRICS over the network, by key: the call metrics in one query, a share per partner
    ("partner_share:<id>", named after the partner), then the time metrics (presence, coverage, occupancy,
    uptime)."""
    results: dict[str, Result] = dict(metrics_compute(CALL_METRICS, period=period)[()])
    names = dict(partners())
    for partner_id, share in sorted(PartnerShares().compute_all(period=period).items(), key=lambda s: names[s[0]]):
        results[f"partner_share:{partner_id}"] = replace(share, name=f"{share.name} : {names[partner_id]}")
    for metric in TIME_METRICS:
        results[metric.key] = metric.compute(period=period, now=now)
    return results


def key_figures(
    period: Period, *, now: dt.datetime | None = None, results: Mapping[str, Result] | None = None
) -> Table:
    """The key figures table: `results` as key_figure_results gives them (computed here when not given)."""
    if results is None:
        results = key_figure_results(period, now=now or timezone.now())
    return key_figures_table(
        results, key="chiffres-cles", title=_("Chiffres clés"), period=period, scope_label=scope_label()
    )


def _trend_field(period: Period) -> str:
    return "week" if period.kind == "week" else "month"


def by_period_tables(period: Period) -> list[Table]:
    """Requests and answer rate for the TREND_LENGTH months (or weeks) ending with `period`, per partner."""
    periods = last_periods(period, TREND_LENGTH)
    span = Period(periods[0].first, periods[-1].last)
    field = _trend_field(period)
    metrics = [Requests(), AnswerRate()]
    grouped = metrics_compute(metrics, period=span, group_by=(field, "partner_id"))
    totals = metrics_compute(metrics, period=span, group_by=(field,))
    every = partners()
    unit = _("mois") if field == "month" else _("semaine")
    common = {"periods": periods, "partners": every, "period_label": str(span), "scope_label": scope_label()}
    return [
        period_partner_table(
            grouped,
            totals,
            metric=metrics[0],
            key=f"demandes-par-{unit}",
            title=_("Demandes par %(unit)s et par partenaire") % {"unit": unit},
            chart="stacked",
            **common,
        ),
        period_partner_table(
            grouped,
            totals,
            metric=metrics[1],
            key=f"decroche-par-{unit}",
            title=_("Taux de décroché par %(unit)s et par partenaire") % {"unit": unit},
            **common,
        ),
    ]


def shares_table(period: Period) -> Table:
    metric = PartnerShares()
    shares = metric.compute_all(period=period)
    counts = dict(
        call_facts(period, NETWORK).values("partner_id").annotate(n=Count("call_id")).values_list("partner_id", "n")
    )
    names = dict(partners())
    ordered = sorted(shares.items(), key=lambda item: (-(item[1].value or 0), names[item[0]]))
    total = sum(counts.values())
    weak = {(index, "part") for index, (_pid, share) in enumerate(ordered) if not share.significant}
    return Table(
        key="parts-des-partenaires",
        title=_("Part de chaque partenaire dans les demandes"),
        columns=[
            Column("partenaire", _("Partenaire")),
            Column("demandes", _("Demandes"), INTEGER, "appels"),
            Column("part", _("Part"), NUMBER, "%", metric.formula),
        ],
        rows=[(names[pid], counts.get(pid, 0), shown(share.value, "%")) for pid, share in ordered],
        period_label=period.label,
        scope_label=scope_label(),
        notes=[metric_note(metric), _("n = %(n)d demandes au total.") % {"n": total}, weak_note()],
        weak=weak,
        chart=Chart("bar", x="partenaire", series=("part",), title=_("Part des demandes (%)")),
    )


def site_partner_tables(period: Period) -> list[Table]:
    metrics = [Requests(), AnswerRate()]
    grouped = metrics_compute(metrics, period=period, group_by=("site_id", "partner_id"))
    by_site = metrics_compute(metrics, period=period, group_by=("site_id",))
    sites = list(HostSite.objects.order_by("name").values_list("pk", "name"))
    every = partners()
    common = {
        "rows": sites,
        "columns": every,
        "row_title": _("Site d'accueil"),
        "period_label": period.label,
        "scope_label": scope_label(),
    }
    return [
        matrix_table(
            {key: results["requests"] for key, results in grouped.items()},
            totals={key[0]: results["requests"] for key, results in by_site.items()},
            unit="appels",
            key="sites-partenaires-demandes",
            title=_("Demandes par site et par partenaire"),
            notes=[metric_note(metrics[0])],
            **common,
        ),
        matrix_table(
            {key: results["answer_rate"] for key, results in grouped.items()},
            totals={key[0]: results["answer_rate"] for key, results in by_site.items()},
            unit="%",
            key="sites-partenaires-decroche",
            title=_("Taux de décroché par site et par partenaire"),
            notes=[metric_note(metrics[1])],
            heatmap=False,
            **common,
        ),
    ]


def station_presence_table(period: Period, *, now: dt.datetime) -> Table:
    """Per station: hours staffed, occupancy (with its n, the available stretches) and calls answered."""
    stations = list(Station.objects.select_related("partner").order_by("partner__short_name", "label"))
    times = station_times([s.partner_id for s in stations], period, now=now)
    answered = answered_by_station(period, NETWORK)
    rows, weak = [], set()
    shown_stations = [s for s in stations if s.active or s.pk in times or s.pk in answered]
    for index, station in enumerate(shown_stations):
        time = times.get(station.pk, StationTime())
        if time.sessions < MIN_SIGNIFICANT_N:
            weak.add((index, "occupation"))
        rows.append(
            (
                station.label,
                station.partner.short_name,
                round(time.staffed / 3600, 1),
                shown(time.occupancy, "%"),
                time.sessions,
                answered.get(station.pk, 0),
            )
        )
    return Table(
        key="presence-des-postes",
        title=_("Présence et occupation par poste"),
        columns=[
            Column("poste", _("Poste")),
            Column("partenaire", _("Partenaire")),
            Column("heures_tenues", _("Heures tenues"), NUMBER, "h", METRICS["station_presence"].formula),
            Column("occupation", _("Occupation"), NUMBER, "%", METRICS["occupancy"].formula),
            Column("sessions", _("n (séances disponibles)"), INTEGER),
            Column("decroches", _("Appels décrochés"), INTEGER, "appels"),
        ],
        rows=rows,
        period_label=period.label,
        scope_label=scope_label(),
        notes=[metric_note(METRICS["station_presence"]), metric_note(METRICS["occupancy"]), weak_note()],
        weak=weak,
        chart=Chart("bar", x="poste", series=("heures_tenues",), title=_("Heures tenues par poste")),
    )


def data_quality_table(period: Period, *, now: dt.datetime) -> Table:
    """How far the figures can be trusted: calls the facts miss or lag behind, calls stuck open, stations and
    kiosks gone silent, the last refresh, technical failures."""
    calls_in_period = Call.objects.filter(requested_at__gte=period.start, requested_at__lt=period.end)
    missing = calls_in_period.exclude(Exists(CallFact.objects.filter(call_id=OuterRef("pk")))).count()
    facts = call_facts(period, NETWORK)
    stale = facts.filter(
        Exists(CallEvent.objects.filter(call_id=OuterRef("call_id"), pk__gt=OuterRef("last_event_id")))
    ).count()
    stuck = CallFact.objects.filter(outcome=CallFact.Outcome.OPEN, requested_at__lt=now - OPEN_CALL_AGE)
    stuck_count, oldest_stuck = stuck.count(), stuck.order_by("requested_at").values_list("requested_at", flat=True)
    failed = facts.filter(outcome=CallFact.Outcome.FAILED).count()
    ended = facts.filter(~Q(outcome=CallFact.Outcome.OPEN)).count()

    # Each one's newest event through its (station or kiosk, at) index: a GROUP BY over the whole record would
    # read every event ever written.
    newest_station_event = StationEvent.objects.filter(station_id=OuterRef("pk")).order_by("-at").values("at")[:1]
    silent_stations = [
        label
        for label, last in Station.objects.filter(active=True)
        .annotate(last=Subquery(newest_station_event))
        .order_by("label")
        .values_list("label", "last")
        if last is None or last < now - STATION_SILENCE
    ]
    newest_kiosk_event = KioskPresenceEvent.objects.filter(kiosk_id=OuterRef("pk")).order_by("-at").values("at")[:1]
    heartbeats = dict(KioskPresence.objects.values_list("kiosk_id", "last_heartbeat"))
    silent_kiosks = []
    for kiosk_id, code, last in (
        Kiosk.objects.filter(status=Kiosk.Status.ACTIVE)
        .annotate(last=Subquery(newest_kiosk_event))
        .order_by("code")
        .values_list("pk", "code", "last")
    ):
        signs = [at for at in (last, heartbeats.get(kiosk_id)) if at is not None]
        if not signs or max(signs) < now - KIOSK_SILENCE:
            silent_kiosks.append(code)
    refresh = StatisticsRefresh.objects.order_by("-finished_at").first()

    def listing(names: list[str]) -> str:
        return ", ".join(names[:10]) + (" …" if len(names) > 10 else "")

    rows = [
        (_("Appels de la période sans fiche statistique"), missing, None, _("à relire au prochain rafraîchissement")),
        (_("Fiches en retard sur le registre des appels"), stale, None, _("un événement plus récent que la fiche")),
        (
            _("Appels encore ouverts plus de %(hours)d h après leur demande")
            % {"hours": OPEN_CALL_AGE.seconds // 3600},
            stuck_count,
            oldest_stuck.first(),
            _("date : la plus ancienne demande"),
        ),
        (
            _("Postes en service sans événement depuis %(days)d jours") % {"days": STATION_SILENCE.days},
            len(silent_stations),
            None,
            listing(silent_stations),
        ),
        (
            _("Bornes actives sans signe de vie depuis %(days)d jours") % {"days": KIOSK_SILENCE.days},
            len(silent_kiosks),
            None,
            listing(silent_kiosks),
        ),
        (
            _("Appels en échec technique"),
            failed,
            None,
            _("sur %(n)d appels terminés dans la période") % {"n": ended},
        ),
        (
            _("Dernier rafraîchissement des statistiques"),
            refresh.calls if refresh else None,
            refresh.finished_at if refresh else None,
            _("nombre : appels relus") if refresh else _("aucun rafraîchissement enregistré"),
        ),
    ]
    return Table(
        key="qualite-des-donnees",
        title=_("Qualité des données"),
        columns=[
            Column("controle", _("Contrôle"), STRING),
            Column("nombre", _("Nombre"), INTEGER),
            Column("date", _("Date"), DATETIME),
            Column("detail", _("Détail"), STRING),
        ],
        rows=rows,
        period_label=period.label,
        scope_label=scope_label(),
        notes=[
            _(
                "Les chiffres sont tirés des fiches statistiques, rafraîchies toutes les quelques minutes à partir du "
                "registre des appels ; un appel sans fiche ou une fiche en retard n'y est pas encore compté."
            )
        ],
    )


def network_tables(user, period: Period, *, now: dt.datetime | None = None) -> list[Table]:
    """The network page's tables, in the order shown (the page's builder in the registry)."""
    now = now or timezone.now()
    return [
        key_figures(period, now=now),
        *by_period_tables(period),
        shares_table(period),
        *site_partner_tables(period),
        requests_heatmap_table(period, NETWORK, key="heures-demandes", scope_label=scope_label()),
        coverage_heatmap_table(
            period,
            [pid for pid, _name in partners()],
            key="heures-couverture",
            scope_label=scope_label(),
            now=now,
        ),
        station_presence_table(period, now=now),
        data_quality_table(period, now=now),
    ]

"""The host-site manager's page: its own sites only (user.host_sites), per site and kiosk.

No agent and no station appears here, by name or by id: every table is grouped by site, kiosk or partner.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from visiorelais.accounts.models import User
from visiorelais.network.models import HostSite, Kiosk, Partner
from visiorelais.statistics import metrics
from visiorelais.statistics.periods import Period, Scope
from visiorelais.statistics.reports.common import append_metric_row, metric_table
from visiorelais.statistics.tables import INTEGER, Chart, Column, Table

PER_KIOSK = [
    "requests",
    "answer_rate",
    "wait_mean",
    "wait_median",
    "wait_p90",
    "long_abandon_rate",
    "satisfaction_top",
    "satisfaction_mean",
]
UPTIME = ["kiosk_uptime", "scanner_uptime", "printer_uptime"]


def site_tables(user: User, period: Period, *, now: dt.datetime | None = None) -> list[Table]:
    """The host-site manager's tables over `period`, for the sites of `user` (a site manager)."""
    now = now or timezone.now()
    sites = list(user.host_sites.order_by("name"))
    label = ", ".join(site.name for site in sites)
    return [
        per_kiosk(sites, period, label),
        per_partner(sites, period, label),
        unavailability(sites, period, label),
        uptime(sites, period, label, now=now),
    ]


def _kiosk_label(kiosk: Kiosk) -> str:
    return f"{kiosk.code} — {kiosk.label}"


def _kiosk_labels(site: HostSite) -> dict[int, str]:
    return {kiosk.pk: _kiosk_label(kiosk) for kiosk in Kiosk.objects.filter(site=site)}


def per_kiosk(sites: list[HostSite], period: Period, label: str) -> Table:
    """Requests, answer rate, waits and satisfaction: each kiosk of each site, then the whole site."""
    wanted = [metrics.METRICS[key] for key in PER_KIOSK]
    table = metric_table(
        key="site-par-borne",
        title=_("Demandes, décroché, attente et satisfaction par borne"),
        head=[Column("site", _("Site d'accueil")), Column("kiosk", _("Borne"))],
        metrics=wanted,
        period=period,
        scope_label=label,
        chart=Chart("bar", "kiosk", ("requests",), _("Demandes par borne")),
    )
    keys = [metric.key for metric in wanted]
    for site in sites:
        scope = Scope.site(site.pk)
        kiosks = _kiosk_labels(site)
        by_kiosk = metrics.metrics_compute(wanted, period=period, scope=scope, group_by=("kiosk_id",))
        for (kiosk_id,), results in sorted(by_kiosk.items(), key=lambda item: kiosks.get(item[0][0], "")):
            append_metric_row(table, [site.name, kiosks.get(kiosk_id, "")], [results[k] for k in keys], keys)
        whole = metrics.metrics_compute(wanted, period=period, scope=scope).get(())
        if whole and len(by_kiosk) > 1:
            append_metric_row(table, [site.name, _("Ensemble du site")], [whole[k] for k in keys], keys)
    return table


def per_partner(sites: list[HostSite], period: Period, label: str) -> Table:
    wanted = [metrics.METRICS[key] for key in ("requests", "answer_rate", "service_level", "wait_mean")]
    keys = [metric.key for metric in wanted]
    partners = dict(Partner.objects.values_list("pk", "short_name"))
    table = metric_table(
        key="site-par-partenaire",
        title=_("Demandes et taux de décroché par partenaire"),
        head=[Column("site", _("Site d'accueil")), Column("partner", _("Partenaire"))],
        metrics=wanted,
        period=period,
        scope_label=label,
        chart=Chart("bar", "partner", ("requests",), _("Demandes par partenaire")),
    )
    for site in sites:
        found = metrics.metrics_compute(wanted, period=period, scope=Scope.site(site.pk), group_by=("partner_id",))
        for name, results in sorted((partners[pid], results) for (pid,), results in found.items()):
            append_metric_row(table, [site.name, name], [results[k] for k in keys], keys)
    return table


def unavailability(sites: list[HostSite], period: Period, label: str) -> Table:
    """Requests that found the partner unavailable, split between "closed" (outside its service windows) and
    "no one staffed" (during a window, no station seated)."""
    wanted = [
        metrics.METRICS[key]
        for key in ("unavailability_rate", "unavailable_closed_rate", "unavailable_unstaffed_rate", "access_rate")
    ]
    keys = [metric.key for metric in wanted]
    table = metric_table(
        key="site-indisponibilites",
        title=_("Indisponibilités : hors horaires ou aucun poste tenu"),
        head=[
            Column("site", _("Site d'accueil")),
            Column("requests_ended", _("Demandes terminées"), INTEGER, "appels"),
        ],
        metrics=wanted,
        period=period,
        scope_label=label,
        chart=Chart(
            "stacked",
            "site",
            ("unavailable_closed_rate", "unavailable_unstaffed_rate"),
            _("Indisponibilité par site : hors horaires et aucun poste tenu"),
        ),
    )
    for site in sites:
        found = metrics.metrics_compute(wanted, period=period, scope=Scope.site(site.pk)).get(())
        results = [found[k] if found else None for k in keys]
        ended = found["unavailability_rate"].n if found else 0
        append_metric_row(table, [site.name, ended], results, keys)
    return table


def uptime(sites: list[HostSite], period: Period, label: str, *, now: dt.datetime) -> Table:
    """Kiosk, scanner and printer uptime over each site's opening hours, per kiosk in service."""
    wanted = [metrics.METRICS[key] for key in UPTIME]
    keys = [metric.key for metric in wanted]
    table = metric_table(
        key="site-disponibilite-bornes",
        title=_("Disponibilité des bornes et des périphériques pendant l'ouverture"),
        head=[Column("site", _("Site d'accueil")), Column("kiosk", _("Borne"))],
        metrics=wanted,
        period=period,
        scope_label=label,
        notes=[_("n : nombre de plages d'ouverture du site. Case vide : la borne n'a pas ce périphérique.")],
        chart=Chart("bar", "kiosk", tuple(keys), _("Disponibilité par borne")),
    )
    for site in sites:
        for kiosk in Kiosk.objects.filter(site=site).exclude(status=Kiosk.Status.RETIRED).order_by("code"):
            scope = Scope.kiosk(kiosk.pk)
            results = [metric.compute(period=period, scope=scope, now=now) for metric in wanted]
            # A kiosk without the device gets n = 0 and no value from the metric: an empty cell.
            append_metric_row(table, [site.name, _kiosk_label(kiosk)], results, keys)
    return table

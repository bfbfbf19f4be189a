"""The time metrics: station presence, coverage of the service windows, occupancy, kiosk and peripheral uptime
over the opening hours. They read StationInterval and the kiosks' presence and peripheral records through
statistics/selectors.py; n counts the opening stretches (half-days) or sessions they are measured over."""

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from visiorelais.calls.models import StationPresence
from visiorelais.network.models import Kiosk, Partner, Station
from visiorelais.statistics import selectors
from visiorelais.statistics.metrics.base import NETWORK, Metric, Rate, Thresholds
from visiorelais.statistics.periods import Period, Scope

State = StationPresence.State


class TimeMetric(Metric):
    """A measure of time over the opening hours; n counts the opening stretches (half-days) or sessions."""


class TimeShare(TimeMetric, Rate):
    """A share of time: covered, occupied or up over the time it could have been."""


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


class Coverage(TimeShare):
    key, name = "coverage", "Couverture des horaires"
    formula = "temps des plages de permanence où au moins un poste du partenaire est tenu / temps des plages"
    thresholds = Thresholds(0.95, 0.85)

    def compute(self, *, period, scope=NETWORK, now=None):
        partner_ids, states = _station_time(scope, period, now or timezone.now())
        station_partner = dict(Station.objects.filter(partner_id__in=partner_ids).values_list("pk", "partner_id"))
        covered = opening = 0.0
        stretches = 0
        for partner_id, windows in selectors.partners_open_intervals(partner_ids=partner_ids, period=period).items():
            staffed = selectors.union(
                iv
                for (station_id, state), ivs in states.items()
                if state in STAFFED and station_partner.get(station_id) == partner_id
                for iv in ivs
            )
            opening += selectors.seconds(windows)
            covered += selectors.seconds(selectors.intersect(windows, staffed))
            stretches += len(windows)
        return self.rate(covered, opening, stretches, period=period, scope=scope)


class Occupancy(TimeShare):
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
        return self.rate(working, ready, sessions, period=period, scope=scope)


class KioskUptime(TimeShare):
    key, name = "kiosk_uptime", "Disponibilité des bornes"
    formula = "temps en ligne pendant les horaires d'ouverture du site / temps d'ouverture du site"
    thresholds = Thresholds(0.98, 0.9)
    device = ""

    def _up(self, kiosk_ids: list[int], period: Period, now: dt.datetime) -> dict[int, list[selectors.Interval]]:
        """kiosk id → when it counted as up within the period."""
        return selectors.kiosks_online_intervals(kiosk_ids=kiosk_ids, period=period, now=now)

    def compute(self, *, period, scope=NETWORK, now=None):
        kiosks = [
            (kiosk_id, site_id)
            for kiosk_id, site_id, has_scanner, has_printer in _scope_kiosks(scope)
            if not self.device or {"scanner": has_scanner, "printer": has_printer}[self.device]
        ]
        hours_by_site = selectors.sites_open_intervals(site_ids={site_id for _, site_id in kiosks}, period=period)
        up_by_kiosk = self._up([kiosk_id for kiosk_id, _ in kiosks], period, now or timezone.now())
        up = opening = 0.0
        stretches = 0
        for kiosk_id, site_id in kiosks:
            hours = hours_by_site[site_id]
            opening += selectors.seconds(hours)
            stretches += len(hours)
            up += selectors.seconds(selectors.intersect(hours, up_by_kiosk[kiosk_id]))
        return self.rate(up, opening, stretches, period=period, scope=scope)


class PeripheralUptime(KioskUptime):
    thresholds = Thresholds(0.95, 0.85)

    def _up(self, kiosk_ids, period, now):
        online = super()._up(kiosk_ids, period, now)
        ready = selectors.peripherals_ready_intervals(kiosk_ids=kiosk_ids, device=self.device, period=period, now=now)
        return {kiosk_id: selectors.intersect(online[kiosk_id], ready[kiosk_id]) for kiosk_id in kiosk_ids}


class ScannerUptime(PeripheralUptime):
    key, name, device = "scanner_uptime", "Disponibilité des scanners", "scanner"
    formula = "temps en ligne avec le scanner présent et prêt, pendant l'ouverture du site / temps d'ouverture"


class PrinterUptime(PeripheralUptime):
    key, name, device = "printer_uptime", "Disponibilité des imprimantes", "printer"
    formula = "temps en ligne avec l'imprimante présente et prête, pendant l'ouverture du site / temps d'ouverture"


TIME_METRICS: list[TimeMetric] = [
    StationPresenceHours(),
    Coverage(),
    Occupancy(),
    KioskUptime(),
    ScannerUptime(),
    PrinterUptime(),
]

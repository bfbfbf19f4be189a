"""Each metric against hand-computed fixtures (CallEvent and StationEvent rows written directly)."""

import datetime as dt

import pytest

from tests.calls.conftest import paris
from tests.statistics.conftest import record_call
from visiorelais.calls.models import Call, KioskPresenceEvent, StationEvent
from visiorelais.documents.models import PeripheralReport
from visiorelais.network.models import SiteOpening
from visiorelais.statistics import metrics
from visiorelais.statistics.periods import Period, Scope
from visiorelais.statistics.services import call_facts_refresh

pytestmark = pytest.mark.django_db
O = Call.Outcome  # noqa: E741
MONDAY = dt.date(2026, 3, 2)
DAY = Period.day(MONDAY)


def compute(*keys, scope=None, period=DAY):
    scope = scope or Scope.network()
    found = metrics.metrics_compute([metrics.METRICS[key] for key in keys], period=period, scope=scope)[()]
    return {key: found[key] for key in keys}


def at(minutes: float) -> dt.datetime:
    return paris(2026, 3, 2, 9, 0) + dt.timedelta(minutes=minutes)


def test_the_contact_centre_comparison_fixture_gives_77_8_70_and_80_percent(world):
    """70 answered within T, 10 abandoned within T (after the short-abandon threshold), 20 answered after T."""
    kiosk, caf = world.kiosk_coutances, world.caf
    for index in range(70):
        record_call(kiosk, caf, at(index), outcome=O.COMPLETED, wait=20, talk=300)
    for index in range(10):
        record_call(kiosk, caf, at(100 + index), outcome=O.ABANDONED, reason="given_up", wait=30)
    for index in range(20):
        record_call(kiosk, caf, at(200 + index), outcome=O.COMPLETED, wait=120, talk=300)
    call_facts_refresh()

    found = compute("service_level", "service_level_answered", "service_level_abandons_in_t")

    assert round(found["service_level_answered"].value * 100, 1) == 77.8
    assert found["service_level"].value == pytest.approx(0.70)
    assert found["service_level_abandons_in_t"].value == pytest.approx(0.80)
    assert [found[key].n for key in found] == [100, 90, 100]


def test_short_abandons_leave_the_service_level_denominator(world, settings):
    settings.STATS_SHORT_ABANDON_SECONDS = 10
    kiosk, caf = world.kiosk_coutances, world.caf
    for index in range(70):
        record_call(kiosk, caf, at(index), outcome=O.COMPLETED, wait=20, talk=300)
    for index in range(10):
        record_call(kiosk, caf, at(100 + index), outcome=O.ABANDONED, reason="given_up", wait=5)
    for index in range(20):
        record_call(kiosk, caf, at(200 + index), outcome=O.COMPLETED, wait=120, talk=300)
    record_call(kiosk, caf, at(300), outcome=O.UNANSWERED, reason="no_station_staffed", wait=200)
    record_call(kiosk, caf, at(301), outcome=O.DECLINED_BY_ALL, reason="declined_by_all", wait=40, declines=2)
    call_facts_refresh()

    found = compute("service_level", "abandon_rate", "long_abandon_rate")

    assert found["service_level"].value == pytest.approx(70 / 92)
    assert found["abandon_rate"].value == pytest.approx(10 / 102)
    assert found["long_abandon_rate"].value == 0


def test_requests_access_unavailability_and_answer_rates(world):
    kiosk, caf = world.kiosk_coutances, world.caf
    for index in range(6):
        record_call(kiosk, caf, at(index), outcome=O.COMPLETED, wait=10, talk=60)
    record_call(kiosk, caf, at(10), outcome=O.ABANDONED, reason="given_up", wait=60)
    record_call(kiosk, caf, at(11), outcome=O.UNANSWERED, reason="no_station_staffed", wait=60)
    record_call(kiosk, caf, at(12), outcome=O.UNAVAILABLE, reason="closed")
    record_call(kiosk, caf, at(13), outcome=O.UNAVAILABLE, reason="closed")
    record_call(kiosk, caf, at(14), outcome=O.UNAVAILABLE, reason="no_station_staffed")
    call_facts_refresh()

    found = compute(
        "requests",
        "access_rate",
        "unavailability_rate",
        "unavailable_closed_rate",
        "unavailable_unstaffed_rate",
        "answer_rate",
    )

    assert (found["requests"].value, found["requests"].n) == (11, 11)
    assert found["access_rate"].value == pytest.approx(8 / 11)
    assert found["unavailability_rate"].value == pytest.approx(3 / 11)
    assert found["unavailable_closed_rate"].value == pytest.approx(2 / 11)
    assert found["unavailable_unstaffed_rate"].value == pytest.approx(1 / 11)
    assert (found["answer_rate"].value, found["answer_rate"].n) == (pytest.approx(6 / 8), 8)
    assert not found["answer_rate"].significant  # n = 8 < 10: shown greyed
    assert found["access_rate"].significant


def test_waits_mean_median_and_90th_percentile_and_handle_times(world):
    kiosk, caf = world.kiosk_coutances, world.caf
    for index, (wait, talk) in enumerate([(10, 100), (20, 200), (30, 300), (40, 400), (100, 500)]):
        record_call(kiosk, caf, at(index * 20), outcome=O.COMPLETED, wait=wait, talk=talk)
    record_call(kiosk, caf, at(200), outcome=O.ABANDONED, reason="given_up", wait=500)
    call_facts_refresh()

    found = compute("wait_mean", "wait_median", "wait_p90", "talk_mean", "wrap_up_mean", "handle_mean")

    assert (found["wait_mean"].value, found["wait_mean"].n) == (40, 5)
    assert found["wait_median"].value == 30
    assert found["wait_p90"].value == pytest.approx(40 + 0.6 * 60)  # rank 0.9 × 4 = 3.6
    assert found["talk_mean"].value == 300
    assert (found["wrap_up_mean"].value, found["handle_mean"].n) == (None, 0)


def test_handle_time_is_talk_plus_the_stations_wrap_up(world):
    call = record_call(world.kiosk_coutances, world.caf, at(0), outcome=O.COMPLETED, wait=10, talk=600)
    station = world.caf_station_1
    for state, minutes in [("available", -5), ("busy", 10 / 60), ("wrap_up", 10 / 60 + 10), ("available", 12.5)]:
        StationEvent.objects.create(
            station=station, state=state, call=call if state != "available" else None, at=at(minutes)
        )
    call_facts_refresh()

    found = compute("talk_mean", "wrap_up_mean", "handle_mean")

    assert (found["talk_mean"].value, found["wrap_up_mean"].value, found["handle_mean"].value) == (600, 140, 740)


def test_offer_acceptance_and_satisfaction(world):
    kiosk, caf = world.kiosk_coutances, world.caf
    for index, rating in enumerate([5, 4, 3, 1, None]):
        record_call(kiosk, caf, at(index * 20), outcome=O.COMPLETED, wait=10, talk=60, rating=rating)
    record_call(kiosk, caf, at(200), outcome=O.COMPLETED, wait=10, talk=60, declines=1, timeouts=1)
    record_call(kiosk, caf, at(220), outcome=O.DECLINED_BY_ALL, reason="declined_by_all", wait=5, declines=2)
    call_facts_refresh()

    found = compute("offer_acceptance", "satisfaction_top", "satisfaction_mean", "rating_response_rate")

    assert (found["offer_acceptance"].value, found["offer_acceptance"].n) == (pytest.approx(6 / 10), 10)
    assert found["satisfaction_top"].value == pytest.approx(2 / 4)
    assert found["satisfaction_mean"].value == pytest.approx(13 / 4)
    assert found["rating_response_rate"].value == pytest.approx(4 / 6)


def test_shares_per_partner_and_scopes(world):
    for index in range(3):
        record_call(world.kiosk_coutances, world.caf, at(index), outcome=O.COMPLETED, wait=5, talk=60)
    record_call(world.kiosk_saint_lo, world.caf, at(5), outcome=O.COMPLETED, wait=5, talk=60)
    record_call(world.kiosk_coutances, world.cpam, at(6), outcome=O.COMPLETED, wait=5, talk=60)
    call_facts_refresh()

    shares = metrics.PartnerShares().compute_all(period=DAY)
    assert shares[world.caf.pk].value == pytest.approx(0.8)
    assert shares[world.cpam.pk].value == pytest.approx(0.2)
    assert compute("requests", scope=Scope.site(world.saint_lo.pk))["requests"].value == 1
    assert compute("requests", scope=Scope.kiosk(world.kiosk_coutances.pk))["requests"].value == 4
    assert compute("requests", scope=Scope.partner(world.cpam.pk))["requests"].value == 1


def test_grouping_by_month_and_partner_gives_one_row_per_pair(world):
    record_call(world.kiosk_coutances, world.caf, paris(2026, 1, 5, 10, 0), outcome=O.COMPLETED, wait=5, talk=60)
    record_call(world.kiosk_coutances, world.caf, paris(2026, 2, 5, 10, 0), outcome=O.COMPLETED, wait=5, talk=60)
    record_call(world.kiosk_coutances, world.cpam, paris(2026, 2, 6, 10, 0), outcome=O.COMPLETED, wait=5, talk=60)
    call_facts_refresh()

    rows = metrics.metrics_compute(metrics.CALL_METRICS, period=Period.year(2026), group_by=("month", "partner_id"))

    assert {key: row["requests"].value for key, row in rows.items()} == {
        (dt.date(2026, 1, 1), world.caf.pk): 1,
        (dt.date(2026, 2, 1), world.caf.pk): 1,
        (dt.date(2026, 2, 1), world.cpam.pk): 1,
    }
    assert rows[(dt.date(2026, 2, 1), world.cpam.pk)]["wait_median"].value == 5


def test_station_presence_coverage_and_occupancy(world):
    """CAF station 1 on Monday: seated 9:00–12:00 with a 15-minute pause and one 10-minute call + 5-minute
    wrap-up; CAF answers 9–12 and 13:30–16:30, so half its opening is covered."""
    station = world.caf_station_1
    for state, minutes in [
        ("available", 0),
        ("ringing", 30),
        ("busy", 30 + 10 / 60),
        ("wrap_up", 40 + 10 / 60),
        ("available", 45 + 10 / 60),
        ("paused", 60),
        ("available", 75),
        ("offline", 180),
    ]:
        StationEvent.objects.create(station=station, state=state, at=at(minutes))
    call_facts_refresh()
    now = paris(2026, 3, 3, 9, 0)
    scope = Scope.partner(world.caf.pk)

    presence = metrics.StationPresenceHours().compute(period=DAY, scope=scope, now=now)
    coverage = metrics.Coverage().compute(period=DAY, scope=scope, now=now)
    occupancy = metrics.Occupancy().compute(period=DAY, scope=scope, now=now)

    assert presence.value == pytest.approx(3)
    assert (coverage.value, coverage.n) == (pytest.approx(0.5), 2)
    assert occupancy.value == pytest.approx(900 / 9900)
    assert metrics.Coverage().compute(period=DAY, scope=Scope.network(), now=now).value == pytest.approx(3 / 9.5)


def test_kiosk_and_peripheral_uptime_over_the_sites_opening_hours(world):
    SiteOpening.objects.create(site=world.coutances, weekday=0, start=dt.time(9), end=dt.time(12))
    kiosk = world.kiosk_coutances
    for online, minutes in [(True, -60), (False, 60), (True, 120)]:
        KioskPresenceEvent.objects.create(kiosk=kiosk, online=online, at=at(minutes))
    ready = {"present": True, "ready": True}
    down = {"present": True, "ready": False}
    PeripheralReport.objects.create(kiosk=kiosk, at=at(-60), last_seen_at=at(-60), scanner=ready, printer=down)
    PeripheralReport.objects.create(kiosk=kiosk, at=at(30), last_seen_at=at(30), scanner=down, printer=down)
    now = paris(2026, 3, 3, 9, 0)
    scope = Scope.kiosk(kiosk.pk)

    kiosk_uptime = metrics.KioskUptime().compute(period=DAY, scope=scope, now=now)
    scanner = metrics.ScannerUptime().compute(period=DAY, scope=scope, now=now)
    printer = metrics.PrinterUptime().compute(period=DAY, scope=scope, now=now)

    assert (kiosk_uptime.value, kiosk_uptime.n) == (pytest.approx(2 / 3), 1)
    assert scanner.value == pytest.approx(0.5 / 3)
    assert printer.value == 0
    assert not kiosk_uptime.significant


def test_uptime_over_the_network_adds_every_kiosk_and_counts_a_peripheral_only_where_there_is_one(world):
    """Coutances: online 9–10 and 11–12, scanner ready until 9:30, printer never ready. Saint-Lô: online and its
    printer ready all morning, no scanner. Both sites open 9–12."""
    coutances, saint_lo = world.kiosk_coutances, world.kiosk_saint_lo
    saint_lo.has_scanner = False
    saint_lo.save()
    for site in (world.coutances, world.saint_lo):
        SiteOpening.objects.create(site=site, weekday=0, start=dt.time(9), end=dt.time(12))
    for kiosk, online, minutes in [(coutances, True, -60), (coutances, False, 60), (coutances, True, 120)]:
        KioskPresenceEvent.objects.create(kiosk=kiosk, online=online, at=at(minutes))
    KioskPresenceEvent.objects.create(kiosk=saint_lo, online=True, at=at(-24 * 60))
    ready, down = {"present": True, "ready": True}, {"present": True, "ready": False}
    absent = {"present": False, "ready": False}
    PeripheralReport.objects.create(kiosk=coutances, at=at(-60), last_seen_at=at(-60), scanner=ready, printer=down)
    PeripheralReport.objects.create(kiosk=coutances, at=at(30), last_seen_at=at(30), scanner=down, printer=down)
    PeripheralReport.objects.create(kiosk=saint_lo, at=at(-90), last_seen_at=at(-90), scanner=absent, printer=ready)
    now = paris(2026, 3, 3, 9, 0)

    kiosk_uptime = metrics.KioskUptime().compute(period=DAY, now=now)
    scanner = metrics.ScannerUptime().compute(period=DAY, now=now)
    printer = metrics.PrinterUptime().compute(period=DAY, now=now)

    assert (kiosk_uptime.value, kiosk_uptime.n) == (pytest.approx(5 / 6), 2)
    assert (scanner.value, scanner.n) == (pytest.approx(0.5 / 3), 1)
    assert (printer.value, printer.n) == (pytest.approx(3 / 6), 2)


def test_thresholds_give_a_status_only_when_significant():
    thresholds = metrics.Thresholds(0.8, 0.7)
    assert [thresholds.status(v) for v in (0.85, 0.75, 0.5)] == ["bon", "à surveiller", "alerte"]
    lower = metrics.Thresholds(60, 180, higher_is_better=False)
    assert [lower.status(v) for v in (30, 100, 200)] == ["bon", "à surveiller", "alerte"]
    answer_rate = metrics.METRICS["answer_rate"]
    below = metrics.MIN_SIGNIFICANT_N - 1
    assert answer_rate.result(0.5, metrics.MIN_SIGNIFICANT_N, period=DAY, scope=Scope.network()).status == "alerte"
    assert answer_rate.result(0.5, below, period=DAY, scope=Scope.network()).status is None
    for metric in metrics.METRICS.values():
        assert metric.name and metric.formula and metric.unit, metric.key

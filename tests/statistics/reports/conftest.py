"""The fixtures of the statistics pages' tests, shared by the builders' tests here and the views' tests in
tests/statistics/test_views_*.py (which import them): small hand-computed worlds, one per page."""

import datetime as dt

import pytest

from tests.calls.conftest import paris
from tests.conftest import make_user
from tests.statistics.conftest import record_call
from visiorelais.accounts.models import Role
from visiorelais.calls.models import Call, CallEvent, KioskPresenceEvent, StationEvent
from visiorelais.network.models import Kiosk, SiteOpening
from visiorelais.statistics.services import call_facts_refresh

O = Call.Outcome  # noqa: E741
# The public page is seen on this day (the twelve weeks before it are 5 January to 29 March 2026).
WEDNESDAY = paris(2026, 4, 1, 10, 0)


def at(hour: int, minute: int = 0, second: int = 0, *, day: int = 2) -> dt.datetime:
    """A Paris time in March 2026 (Monday 2 March by default)."""
    return paris(2026, 3, day, hour, minute, second)


def answered_by(agent, call: Call) -> Call:
    """record_call writes no agent: name the agent on the events of its station, as the services do."""
    CallEvent.objects.filter(call=call, station__isnull=False).update(agent=agent)
    return call


def calls_in_week(kiosk, partner, monday: dt.date, requests: int, answered: int) -> None:
    """`requests` calls on `monday` from 10:00, a minute apart: the first `answered` answered, the others
    long abandons."""
    for index in range(requests):
        when = paris(monday.year, monday.month, monday.day, 10, index)
        if index < answered:
            record_call(kiosk, partner, when, outcome=O.COMPLETED, wait=5, talk=60)
        else:
            record_call(kiosk, partner, when, outcome=O.ABANDONED, reason="given_up", wait=60)


@pytest.fixture
def caf_month(world):
    """March 2026. CAF: three calls answered by Alice at Coutances on station 1 (waits 10, 20, 90 s; one after a
    decline by station 1), one long abandon at Coutances, one call answered by Carla at Saint-Lô on station 2.
    CPAM: seven calls at Saint-Lô, answered by Bob. Station 1 seated 9:00–11:00 on Monday 2 March, with one
    10-minute call and a 5-minute wrap-up."""
    carla = make_user("carla", Role.PARTNER_AGENT, partner=world.caf)
    kiosk, caf, station_1 = world.kiosk_coutances, world.caf, world.caf_station_1
    for minute, wait in [(0, 10), (20, 20)]:
        answered_by(
            world.alice,
            record_call(kiosk, caf, at(9, minute), outcome=O.COMPLETED, wait=wait, talk=300, station=station_1),
        )
    answered_by(
        world.alice,
        record_call(
            kiosk, caf, at(10, 0), outcome=O.COMPLETED, wait=90, talk=300, station=station_1, declines=1, rating=5
        ),
    )
    record_call(kiosk, caf, at(10, 30), outcome=O.ABANDONED, reason="given_up", wait=40)
    answered_by(
        carla,
        record_call(
            world.kiosk_saint_lo, caf, at(14, 0), outcome=O.COMPLETED, wait=30, talk=120, station=world.caf_station_2
        ),
    )
    for index in range(7):
        answered_by(
            world.bob,
            record_call(
                world.kiosk_saint_lo,
                world.cpam,
                at(9, index),
                outcome=O.COMPLETED,
                wait=5,
                talk=60,
                station=world.cpam_station,
            ),
        )
    for state, time in [
        ("available", at(9)),
        ("busy", at(9, 30)),
        ("wrap_up", at(9, 40)),
        ("available", at(9, 45)),
        ("offline", at(11)),
    ]:
        StationEvent.objects.create(station=station_1, state=state, agent=world.alice, at=time)
    call_facts_refresh()
    return world


@pytest.fixture
def coutances_day(world):
    """Monday 2 March 2026 at Coutances (open 9–12). BRN-COUT-01: CAF answered twice by Alice (waits 10 and
    30 s, rated 5 and 3), CAF closed, CPAM unstaffed, CPAM answered (wait 20 s, rated 4); online 8:00–10:30.
    BRN-COUT-02 (no scanner): one CAF long abandon (50 s), never online. Saint-Lô: eight CAF calls."""
    second = Kiosk.objects.create(site=world.coutances, code="BRN-COUT-02", label="Seconde borne", has_scanner=False)
    SiteOpening.objects.create(site=world.coutances, weekday=0, start=dt.time(9), end=dt.time(12))
    kiosk, caf, cpam = world.kiosk_coutances, world.caf, world.cpam
    for minute, wait, rating in [(0, 10, 5), (30, 30, 3)]:
        call = record_call(
            kiosk,
            caf,
            at(9, minute),
            outcome=O.COMPLETED,
            wait=wait,
            talk=200,
            rating=rating,
            station=world.caf_station_1,
        )
        CallEvent.objects.filter(call=call, station__isnull=False).update(agent=world.alice)
    record_call(kiosk, caf, at(10, 0), outcome=O.UNAVAILABLE, reason="closed")
    record_call(kiosk, cpam, at(10, 5), outcome=O.UNAVAILABLE, reason="no_station_staffed")
    record_call(kiosk, cpam, at(10, 10), outcome=O.COMPLETED, wait=20, talk=100, rating=4, station=world.cpam_station)
    record_call(second, caf, at(11, 0), outcome=O.ABANDONED, reason="given_up", wait=50)
    for index in range(8):
        record_call(world.kiosk_saint_lo, caf, at(9, index), outcome=O.COMPLETED, wait=5, talk=60)
    KioskPresenceEvent.objects.create(kiosk=kiosk, online=True, at=at(8))
    KioskPresenceEvent.objects.create(kiosk=kiosk, online=False, at=at(10, 30))
    call_facts_refresh()
    return world


@pytest.fixture
def alice_day(world, time_machine):
    """Monday 2 March 2026, Alice at CAF station 1, seated 9:00–11:00: call A (9:09:50, wait 10 s, talk 5 min,
    wrap-up 9:15–9:17, rated 5), a pause 10:00–10:30, call B (10:40, wait 20 s, talk 10 min, rated 2); she
    declined call C and let call D ring out. Carla answered a CAF call, Bob a CPAM call, on the same day.
    The figures are refreshed at 11:30."""
    kiosk, caf, station = world.kiosk_coutances, world.caf, world.caf_station_1
    carla = make_user("carla", Role.PARTNER_AGENT, partner=caf)
    call_a = answered_by(
        world.alice,
        record_call(kiosk, caf, at(9, 9, 50), outcome=O.COMPLETED, wait=10, talk=300, rating=5, station=station),
    )
    answered_by(
        world.alice,
        record_call(kiosk, caf, at(10, 40), outcome=O.COMPLETED, wait=20, talk=600, rating=2, station=station),
    )
    answered_by(
        world.alice, record_call(kiosk, caf, at(9, 30), outcome=O.DECLINED_BY_ALL, wait=5, declines=1, station=station)
    )
    answered_by(
        world.alice, record_call(kiosk, caf, at(9, 40), outcome=O.UNANSWERED, wait=30, timeouts=1, station=station)
    )
    answered_by(
        carla, record_call(kiosk, caf, at(9, 50), outcome=O.COMPLETED, wait=5, talk=1000, station=world.caf_station_2)
    )
    answered_by(
        world.bob,
        record_call(
            world.kiosk_saint_lo,
            world.cpam,
            at(9),
            outcome=O.COMPLETED,
            wait=5,
            talk=60,
            rating=1,
            station=world.cpam_station,
        ),
    )
    for state, time, call in [
        ("available", at(9), None),
        ("busy", at(9, 10), call_a),
        ("wrap_up", at(9, 15), call_a),
        ("available", at(9, 17), None),
        ("paused", at(10), None),
        ("available", at(10, 30), None),
        ("offline", at(11), None),
    ]:
        StationEvent.objects.create(station=station, state=state, agent=world.alice, call=call, at=time)
    time_machine.move_to(at(11, 30), tick=False)
    call_facts_refresh()
    return world


@pytest.fixture
def weeks(world, time_machine):
    """Seen on Wednesday 1 April 2026. Week of 23 March: CAF 6 requests (4 answered), CPAM 3 (none answered).
    Week of 16 March: CAF 1 (answered). Week of 9 March: CAF 5 (5 answered). Week of 2 March: CAF 7 (6
    answered). This week (30 March): CAF 9, not complete, not shown."""
    kiosk, caf, cpam = world.kiosk_coutances, world.caf, world.cpam
    calls_in_week(kiosk, caf, dt.date(2026, 3, 23), 6, 4)
    calls_in_week(world.kiosk_saint_lo, cpam, dt.date(2026, 3, 24), 3, 0)
    calls_in_week(kiosk, caf, dt.date(2026, 3, 16), 1, 1)
    calls_in_week(kiosk, caf, dt.date(2026, 3, 9), 5, 5)
    calls_in_week(kiosk, caf, dt.date(2026, 3, 2), 7, 6)
    calls_in_week(kiosk, caf, dt.date(2026, 3, 30), 9, 9)
    call_facts_refresh()
    time_machine.move_to(WEDNESDAY, tick=False)
    return world

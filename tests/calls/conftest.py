"""Helpers for the live-call tests: Paris wall-clock times, a frozen clock, seated agents."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import make_user
from visiorelais.accounts.models import Role
from visiorelais.calls.services import station_take

PARIS = ZoneInfo("Europe/Paris")
# Monday 2 March 2026, 10:00 in Paris: CAF (9–12, 13:30–16:30) and CPAM (8:30–12) are open.
MONDAY_10AM = dt.datetime(2026, 3, 2, 10, 0, tzinfo=PARIS)


def paris(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


@pytest.fixture
def clock(time_machine):
    """The clock, frozen at Monday 10:00 in Paris; `clock.shift(seconds)` moves it on."""
    time_machine.move_to(MONDAY_10AM, tick=False)
    return time_machine


@pytest.fixture
def carla(world):
    """A second CAF agent, for the second CAF station."""
    return make_user("carla", Role.PARTNER_AGENT, partner=world.caf)


@pytest.fixture
def alice_seated(world, clock):
    return station_take(agent=world.alice, station_id=world.caf_station_1.pk)


@pytest.fixture
def both_caf_seated(world, clock, carla):
    """Alice at CAF station 1, then Carla at station 2 a minute later (so station 1 is the longer idle)."""
    station_take(agent=world.alice, station_id=world.caf_station_1.pk)
    clock.shift(60)
    station_take(agent=carla, station_id=world.caf_station_2.pk)
    clock.shift(60)
    return carla

"""The scheduling world: France Travail, by appointment only at Coutances, on Thursday mornings.

On top of the shared test world (tests/conftest.py): France Travail with one station, two topics, an
appointment-only opening on BRN-COUT-01 and a Thursday 9:00–12:00 service window; karim, its agent; sarah, a host
agent at Saint-Lô. The clock is frozen on Monday 2 March 2026, 10:00 in Paris; Thursday 5 March is the first
Thursday of the month.
"""

import datetime as dt
from types import SimpleNamespace

import pytest

from tests.calls.conftest import MONDAY_10AM, paris
from tests.conftest import make_user
from visiorelais.accounts.models import Role
from visiorelais.network.models import Entitlement, Partner, ServiceWindow, Station, Topic, Weekday
from visiorelais.scheduling.services import appointment_book, slot_open

FIRST_THURSDAY_9AM = paris(2026, 3, 5, 9, 0)

__all__ = ["FIRST_THURSDAY_9AM", "MONDAY_10AM", "paris"]


@pytest.fixture
def clock(time_machine):
    """The clock, frozen at Monday 2 March 2026, 10:00 in Paris; `clock.move_to(paris(...))` moves it."""
    time_machine.move_to(MONDAY_10AM, tick=False)
    return time_machine


@pytest.fixture
def ft(world, clock):
    partner = Partner.objects.create(name="France Travail", short_name="France Travail", colour="#C8102E")
    station = Station.objects.create(partner=partner, label="France Travail poste 1")
    Entitlement.objects.create(partner=partner, kiosk=world.kiosk_coutances, mode=Entitlement.Mode.APPOINTMENT_ONLY)
    ServiceWindow.objects.create(partner=partner, weekday=Weekday.THURSDAY, start=dt.time(9), end=dt.time(12))
    return SimpleNamespace(
        partner=partner,
        station=station,
        topic=Topic.objects.create(partner=partner, label="Indemnisation"),
        other_topic=Topic.objects.create(partner=partner, label="Formation"),
        karim=make_user("karim", Role.PARTNER_AGENT, partner=partner),
        sarah=make_user("sarah", Role.HOST_AGENT, sites=[world.saint_lo]),
    )


def open_ft_slot(world, ft, starts_at=FIRST_THURSDAY_9AM, length=30, **place):
    place = place or {"kiosk": world.kiosk_coutances}
    return slot_open(partner=ft.partner, station=ft.station, starts_at=starts_at, length_minutes=length, **place)


@pytest.fixture
def ft_slot(world, ft):
    """France Travail's slot on Thursday 5 March, 9:00–9:30, at BRN-COUT-01."""
    return open_ft_slot(world, ft)


def book(world, ft, slot, **kwargs):
    values = {"user": world.hugo, "slot_id": slot.pk, "name": "Mme Lehoux", "topic_id": ft.topic.pk, **kwargs}
    return appointment_book(**values)


@pytest.fixture
def booked(world, ft, ft_slot):
    """Mme Lehoux, booked by hugo at the Coutances host site, with a mobile number and an e-mail address."""
    return book(world, ft, ft_slot, phone="06 12 34 56 78", email="lehoux@exemple.fr")


@pytest.fixture
def carla(world):
    """A second CAF agent."""
    return make_user("carla", Role.PARTNER_AGENT, partner=world.caf)

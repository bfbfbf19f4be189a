"""A call belongs to the period of its request, in Europe/Paris time."""

import datetime as dt

import pytest

from tests.statistics.conftest import record_call
from visiorelais.calls.models import Call
from visiorelais.statistics import metrics
from visiorelais.statistics.models import CallFact
from visiorelais.statistics.periods import Period
from visiorelais.statistics.services import call_facts_refresh

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def requests(period: Period) -> int:
    return metrics.Requests().compute(period=period).value


def fact_at(world, at: dt.datetime) -> CallFact:
    call = record_call(world.kiosk_coutances, world.caf, at, outcome=Call.Outcome.UNAVAILABLE, reason="closed")
    call_facts_refresh()
    return CallFact.objects.get(call_id=call.pk)


def test_a_call_at_23_30_utc_on_31_march_belongs_to_1_april_in_paris(world):
    fact = fact_at(world, dt.datetime(2026, 3, 31, 23, 30, tzinfo=UTC))
    assert (fact.day, fact.month, fact.week) == (dt.date(2026, 4, 1), dt.date(2026, 4, 1), dt.date(2026, 3, 30))
    assert fact.hour_of_week == 2 * 24 + 1
    assert requests(Period.month(2026, 4)) == 1
    assert requests(Period.month(2026, 3)) == 0


def test_a_call_at_23_30_utc_in_winter_is_the_next_day_at_0_30(world):
    fact = fact_at(world, dt.datetime(2026, 1, 31, 23, 30, tzinfo=UTC))
    assert (fact.day, fact.hour_of_week) == (dt.date(2026, 2, 1), 6 * 24 + 0)


def test_the_spring_forward_night_skips_2_am(world):
    before = fact_at(world, dt.datetime(2026, 3, 29, 0, 30, tzinfo=UTC))
    after = fact_at(world, dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC))
    assert (before.day, before.hour_of_week % 24) == (dt.date(2026, 3, 29), 1)
    assert (after.day, after.hour_of_week % 24) == (dt.date(2026, 3, 29), 3)
    assert Period.day(dt.date(2026, 3, 29)).end - Period.day(dt.date(2026, 3, 29)).start == dt.timedelta(hours=23)


def test_the_fall_back_night_has_two_2_am_hours_on_the_same_day(world):
    first = fact_at(world, dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC))
    second = fact_at(world, dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    assert first.day == second.day == dt.date(2026, 10, 25)
    assert first.hour_of_week == second.hour_of_week == 6 * 24 + 2
    day = Period.day(dt.date(2026, 10, 25))
    assert day.end - day.start == dt.timedelta(hours=25)
    assert requests(day) == 2


def test_periods_cover_whole_paris_days():
    assert Period.month(2026, 12) == Period(dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert Period.month(2028, 2).last == dt.date(2028, 2, 29)
    assert Period.iso_week(dt.date(2026, 4, 1)) == Period(dt.date(2026, 3, 30), dt.date(2026, 4, 5))
    assert Period.month(2026, 4).start == dt.datetime(2026, 3, 31, 22, 0, tzinfo=UTC)

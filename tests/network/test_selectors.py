"""Availability and entitlements: service windows in Paris time, public holidays, closures."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from visiorelais.network.models import Closure, Entitlement, Kiosk, Partner
from visiorelais.network.selectors import (
    NEXT_OPENING_LOOKAHEAD_DAYS,
    kiosk_entitlements,
    partner_is_open,
    partner_next_opening,
)

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC


def paris(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


def test_caf_is_open_on_a_weekday_morning(world):
    assert partner_is_open(partner=world.caf, at=paris(2026, 3, 2, 10, 0))


def test_a_window_includes_its_start_and_excludes_its_end(world):
    assert partner_is_open(partner=world.caf, at=paris(2026, 3, 2, 9, 0))
    assert not partner_is_open(partner=world.caf, at=paris(2026, 3, 2, 8, 59, 59))
    assert partner_is_open(partner=world.caf, at=paris(2026, 3, 2, 11, 59, 59))
    assert not partner_is_open(partner=world.caf, at=paris(2026, 3, 2, 12, 0))


def test_caf_is_closed_at_lunch_and_in_the_evening(world):
    assert not partner_is_open(partner=world.caf, at=paris(2026, 3, 2, 12, 45))
    assert partner_is_open(partner=world.caf, at=paris(2026, 3, 2, 14, 0))
    assert not partner_is_open(partner=world.caf, at=paris(2026, 3, 2, 18, 0))


def test_caf_is_closed_on_saturday_and_sunday(world):
    assert not partner_is_open(partner=world.caf, at=paris(2026, 3, 7, 10, 0))
    assert not partner_is_open(partner=world.caf, at=paris(2026, 3, 8, 10, 0))


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2026, 7, 14),  # fête nationale, a Tuesday
        dt.date(2026, 12, 25),  # Noël, a Friday
        dt.date(2026, 4, 6),  # lundi de Pâques
        dt.date(2026, 5, 14),  # Ascension, a Thursday
        dt.date(2027, 5, 17),  # lundi de Pentecôte
    ],
)
def test_partners_are_closed_on_french_public_holidays(world, day):
    assert day.weekday() < 5
    assert not partner_is_open(partner=world.caf, at=paris(day.year, day.month, day.day, 10, 0))
    assert not partner_is_open(partner=world.cpam, at=paris(day.year, day.month, day.day, 10, 0))


def test_the_day_after_a_holiday_is_open_again(world):
    assert partner_is_open(partner=world.caf, at=paris(2026, 7, 15, 10, 0))


def test_a_closure_covers_every_day_from_first_to_last(world):
    Closure.objects.create(partner=world.caf, first_day=dt.date(2026, 3, 3), last_day=dt.date(2026, 3, 4))
    assert partner_is_open(partner=world.caf, at=paris(2026, 3, 2, 10, 0))
    assert not partner_is_open(partner=world.caf, at=paris(2026, 3, 3, 10, 0))
    assert not partner_is_open(partner=world.caf, at=paris(2026, 3, 4, 15, 0))
    assert partner_is_open(partner=world.caf, at=paris(2026, 3, 5, 10, 0))


def test_a_closure_of_one_partner_leaves_the_others_open(world):
    Closure.objects.create(partner=world.caf, first_day=dt.date(2026, 3, 3), last_day=dt.date(2026, 3, 3))
    assert partner_is_open(partner=world.cpam, at=paris(2026, 3, 3, 10, 0))


def test_the_next_opening_while_open_is_now(world):
    now = paris(2026, 3, 2, 10, 15)
    assert partner_next_opening(partner=world.caf, after=now) == now


def test_the_next_opening_at_lunch_is_the_afternoon_window(world):
    assert partner_next_opening(partner=world.caf, after=paris(2026, 3, 2, 12, 0)) == paris(2026, 3, 2, 13, 30)


def test_the_next_opening_on_friday_evening_is_monday_morning(world):
    assert partner_next_opening(partner=world.caf, after=paris(2026, 3, 6, 17, 0)) == paris(2026, 3, 9, 9, 0)


def test_the_next_opening_skips_a_holiday(world):
    # Monday 13 July 2026 evening → 14 July is the fête nationale → Wednesday 15 July.
    assert partner_next_opening(partner=world.caf, after=paris(2026, 7, 13, 17, 0)) == paris(2026, 7, 15, 9, 0)


def test_the_next_opening_skips_a_weekend_then_easter_monday(world):
    assert partner_next_opening(partner=world.cpam, after=paris(2026, 4, 3, 12, 30)) == paris(2026, 4, 7, 8, 30)


def test_the_next_opening_skips_a_closure_and_a_weekend(world):
    Closure.objects.create(partner=world.caf, first_day=dt.date(2026, 3, 9), last_day=dt.date(2026, 3, 10))
    assert partner_next_opening(partner=world.caf, after=paris(2026, 3, 6, 17, 0)) == paris(2026, 3, 11, 9, 0)


def test_a_partner_without_windows_has_no_next_opening(world):
    newcomer = Partner.objects.create(name="Urssaf Normandie", short_name="URSSAF")
    assert partner_next_opening(partner=newcomer, after=paris(2026, 3, 2, 10, 0)) is None
    assert not partner_is_open(partner=newcomer, at=paris(2026, 3, 2, 10, 0))


def test_a_closure_longer_than_the_lookahead_gives_no_next_opening(world):
    start = dt.date(2026, 3, 2)
    Closure.objects.create(
        partner=world.caf, first_day=start, last_day=start + dt.timedelta(days=NEXT_OPENING_LOOKAHEAD_DAYS + 5)
    )
    assert partner_next_opening(partner=world.caf, after=paris(2026, 3, 2, 10, 0)) is None


def test_windows_stay_on_paris_wall_clock_across_the_spring_change(world):
    # Clocks go forward on Sunday 29 March 2026: 9:00 is 08:00 UTC before, 07:00 UTC after.
    assert not partner_is_open(partner=world.caf, at=dt.datetime(2026, 3, 27, 7, 30, tzinfo=UTC))
    assert partner_is_open(partner=world.caf, at=dt.datetime(2026, 3, 27, 8, 30, tzinfo=UTC))
    assert partner_is_open(partner=world.caf, at=dt.datetime(2026, 3, 30, 7, 30, tzinfo=UTC))
    opening = partner_next_opening(partner=world.caf, after=paris(2026, 3, 27, 17, 0))
    assert opening == dt.datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    # One hour of that weekend never happened: 2 days 15 hours of real time, not 16.
    assert opening.astimezone(UTC) - paris(2026, 3, 27, 17, 0).astimezone(UTC) == dt.timedelta(days=2, hours=15)


def test_windows_stay_on_paris_wall_clock_across_the_autumn_change(world):
    # Clocks go back on Sunday 25 October 2026: 9:00 is 07:00 UTC before, 08:00 UTC after.
    assert partner_is_open(partner=world.caf, at=dt.datetime(2026, 10, 23, 7, 30, tzinfo=UTC))
    assert not partner_is_open(partner=world.caf, at=dt.datetime(2026, 10, 26, 7, 30, tzinfo=UTC))
    opening = partner_next_opening(partner=world.caf, after=paris(2026, 10, 23, 17, 0))
    assert opening == dt.datetime(2026, 10, 26, 8, 0, tzinfo=UTC)


def test_availability_follows_the_frozen_clock(world, time_machine):
    time_machine.move_to(paris(2026, 12, 25, 10, 0), tick=False)
    assert not partner_is_open(partner=world.caf, at=timezone.now())
    time_machine.move_to(paris(2026, 12, 28, 10, 0), tick=False)
    assert partner_is_open(partner=world.caf, at=timezone.now())


def test_a_naive_datetime_is_refused(world):
    with pytest.raises(ValueError):
        partner_is_open(partner=world.caf, at=dt.datetime(2026, 3, 2, 10, 0))


def test_a_kiosk_reaches_partners_open_everywhere_and_those_opened_for_it(world):
    assert kiosk_entitlements(kiosk=world.kiosk_coutances) == [
        (world.caf, Entitlement.Mode.WALK_IN),
        (world.cpam, Entitlement.Mode.WALK_IN),
    ]
    assert kiosk_entitlements(kiosk=world.kiosk_saint_lo) == [(world.caf, Entitlement.Mode.WALK_IN)]


def test_a_row_for_one_kiosk_overrides_the_all_kiosks_row(world):
    Entitlement.objects.create(partner=world.caf, kiosk=world.kiosk_saint_lo, mode=Entitlement.Mode.APPOINTMENT_ONLY)
    assert kiosk_entitlements(kiosk=world.kiosk_saint_lo) == [(world.caf, Entitlement.Mode.APPOINTMENT_ONLY)]
    assert kiosk_entitlements(kiosk=world.kiosk_coutances)[0] == (world.caf, Entitlement.Mode.WALK_IN)


def test_a_retired_kiosk_reaches_nothing(world):
    assert kiosk_entitlements(kiosk=world.kiosk_retired) == []


def test_a_kiosk_in_maintenance_reaches_nothing(world):
    world.kiosk_coutances.status = Kiosk.Status.MAINTENANCE
    world.kiosk_coutances.save()
    assert kiosk_entitlements(kiosk=world.kiosk_coutances) == []


def test_partners_always_open_makes_every_hour_open_for_demos(world, settings):
    from visiorelais.network.selectors import partner_is_open, partner_next_opening

    sunday_night = dt.datetime(2026, 12, 27, 23, 30, tzinfo=ZoneInfo("Europe/Paris"))
    assert not partner_is_open(partner=world.caf, at=sunday_night)
    settings.PARTNERS_ALWAYS_OPEN = True
    assert partner_is_open(partner=world.caf, at=sunday_night)
    assert partner_next_opening(partner=world.caf, after=sunday_night) == sunday_night

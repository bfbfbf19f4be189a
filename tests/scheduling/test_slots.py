"""Opening slots, one by one and from a recurrence rule: the overlaps and other refusals, and idempotence."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.scheduling.conftest import FIRST_THURSDAY_9AM, open_ft_slot, paris
from visiorelais.network.models import Closure, Entitlement, HostSite, Kiosk, Weekday
from visiorelais.scheduling.errors import SchedulingRefused
from visiorelais.scheduling.models import Slot, SlotSeries
from visiorelais.scheduling.services import slot_open, slot_series_open


def refused(code, call):
    with pytest.raises(SchedulingRefused) as caught:
        call()
    assert caught.value.code == code
    return caught.value.text


def test_a_partner_opens_a_slot_at_a_kiosk(world, ft):
    slot = open_ft_slot(world, ft)
    assert slot.ends_at == paris(2026, 3, 5, 9, 30)
    assert slot.label == "jeudi 5 mars 2026 à 9 h"


def test_it_refuses_a_slot_overlapping_another_on_the_same_station(world, ft, ft_slot):
    text = refused("slot_overlap_station", lambda: open_ft_slot(world, ft, starts_at=paris(2026, 3, 5, 9, 15)))
    assert text == "Ce créneau chevauche celui du jeudi 5 mars 2026 à 9 h sur le même poste ; modifiez l'un des deux."
    assert Slot.objects.count() == 1


def test_it_refuses_a_slot_of_another_partner_overlapping_on_the_same_kiosk(world, ft, ft_slot):
    text = refused(
        "slot_overlap_kiosk",
        lambda: slot_open(
            partner=world.caf,
            station=world.caf_station_1,
            kiosk=world.kiosk_coutances,
            starts_at=paris(2026, 3, 5, 9, 20),
            length_minutes=20,
        ),
    )
    assert "sur la même borne : une borne ne reçoit qu'un rendez-vous à la fois" in text
    assert Slot.objects.count() == 1


def test_a_site_slot_clashes_with_a_kiosk_slot_of_that_site(world, ft, ft_slot):
    refused(
        "slot_overlap_kiosk",
        lambda: slot_open(
            partner=world.caf,
            station=world.caf_station_1,
            site=world.coutances,
            starts_at=paris(2026, 3, 5, 9, 0),
            length_minutes=30,
        ),
    )


def test_back_to_back_slots_and_slots_at_other_kiosks_do_not_clash(world, ft, ft_slot):
    open_ft_slot(world, ft, starts_at=paris(2026, 3, 5, 9, 30))
    slot_open(
        partner=world.caf,
        station=world.caf_station_1,
        kiosk=world.kiosk_saint_lo,
        starts_at=paris(2026, 3, 5, 9, 0),
        length_minutes=30,
    )
    assert Slot.objects.count() == 3


def test_it_refuses_a_slot_in_the_past(world, ft):
    text = refused("slot_in_past", lambda: open_ft_slot(world, ft, starts_at=paris(2026, 3, 2, 9, 0)))
    assert text == "Ce créneau est déjà passé : choisissez une date à venir."


def test_it_refuses_a_kiosk_that_does_not_reach_the_partner(world, ft):
    text = refused("slot_not_entitled", lambda: open_ft_slot(world, ft, kiosk=world.kiosk_saint_lo))
    assert "n'est pas ouvert sur cette borne" in text


def test_it_refuses_a_station_of_another_partner_and_a_place_given_twice(world, ft):
    refused(
        "slot_station",
        lambda: slot_open(
            partner=ft.partner,
            station=world.caf_station_1,
            kiosk=world.kiosk_coutances,
            starts_at=FIRST_THURSDAY_9AM,
            length_minutes=30,
        ),
    )
    refused("slot_place", lambda: open_ft_slot(world, ft, kiosk=world.kiosk_coutances, site=world.coutances))
    refused("slot_length", lambda: open_ft_slot(world, ft, length=2))
    assert not Slot.objects.exists()


def test_the_model_clean_gives_the_same_refusal_for_the_back_office(world, ft, ft_slot):
    slot = Slot(
        partner=ft.partner,
        station=ft.station,
        kiosk=world.kiosk_coutances,
        starts_at=paris(2026, 3, 5, 9, 10),
        length_minutes=30,
    )
    with pytest.raises(ValidationError, match="sur le même poste"):
        slot.full_clean()


def series(world, ft, **overrides):
    values = {
        "partner": ft.partner,
        "station": ft.station,
        "kiosk": world.kiosk_coutances,
        "rule": SlotSeries.Rule.MONTHLY,
        "rank": SlotSeries.Rank.FIRST,
        "weekday": Weekday.THURSDAY,
        "start_time": dt.time(9),
        "end_time": dt.time(12),
        "slot_minutes": 30,
        "first_day": dt.date(2026, 1, 1),
        **overrides,
    }
    row = SlotSeries(**values)
    row.full_clean()
    row.save()
    return row


def test_a_monthly_series_opens_the_first_thursday_of_each_month_in_half_hours(world, ft):
    opened = slot_series_open(series=series(world, ft), months=3)
    days = sorted({slot.starts_at.astimezone(paris(2026, 1, 1).tzinfo).date() for slot in opened.created})
    assert days == [dt.date(2026, 3, 5), dt.date(2026, 4, 2), dt.date(2026, 5, 7)]
    assert len(opened.created) == 3 * 6
    first_day = [slot for slot in opened.created if slot.starts_at.date() == dt.date(2026, 3, 5)]
    assert [slot.starts_at for slot in first_day][:2] == [paris(2026, 3, 5, 9, 0), paris(2026, 3, 5, 9, 30)]
    assert first_day[-1].ends_at == paris(2026, 3, 5, 12, 0)


def test_opening_a_series_again_adds_nothing(world, ft):
    rule = series(world, ft)
    first = slot_series_open(series=rule, months=3)
    again = slot_series_open(series=rule, months=3)
    assert again.created == []
    assert Slot.objects.count() == len(first.created)


def test_a_series_extends_as_time_passes(world, ft, clock):
    rule = series(world, ft)
    slot_series_open(series=rule, months=1)
    clock.move_to(paris(2026, 4, 10, 8, 0), tick=False)
    later = slot_series_open(series=rule, months=1)
    assert {slot.starts_at.date() for slot in later.created} == {dt.date(2026, 5, 7)}


def test_a_series_skips_public_holidays_and_closures(world, ft):
    # The second Thursday of May 2026 is Ascension Day; the partner closes on the second Thursday of April.
    Closure.objects.create(partner=ft.partner, first_day=dt.date(2026, 4, 9), last_day=dt.date(2026, 4, 9))
    opened = slot_series_open(series=series(world, ft, rank=SlotSeries.Rank.SECOND), months=3)
    assert {slot.starts_at.date() for slot in opened.created} == {dt.date(2026, 3, 12)}
    assert {start.date() for start, code in opened.skipped if code == "closed"} == {
        dt.date(2026, 4, 9),
        dt.date(2026, 5, 14),
    }


def test_a_series_skips_the_starts_that_clash_and_opens_the_others(world, ft):
    slot_open(
        partner=world.caf,
        station=world.caf_station_1,
        kiosk=world.kiosk_coutances,
        starts_at=paris(2026, 3, 5, 10, 0),
        length_minutes=30,
    )
    opened = slot_series_open(series=series(world, ft), months=1)  # 5 March and 2 April
    assert len(opened.created) == 11
    assert opened.skipped == [(paris(2026, 3, 5, 10, 0), "slot_overlap_kiosk")]


def test_weekly_and_last_weekday_rules(world, ft):
    weekly = series(world, ft, rule=SlotSeries.Rule.WEEKLY, rank=None, end_time=dt.time(9, 30))
    assert {slot.starts_at.date() for slot in slot_series_open(series=weekly, months=1).created} == {
        dt.date(2026, 3, 5),
        dt.date(2026, 3, 12),
        dt.date(2026, 3, 19),
        dt.date(2026, 3, 26),
        dt.date(2026, 4, 2),
    }
    last = SlotSeries(weekday=Weekday.THURSDAY, rule=SlotSeries.Rule.MONTHLY, rank=-1, first_day=dt.date(2026, 1, 1))
    assert last.days(dt.date(2026, 3, 1), dt.date(2026, 4, 30)) == [dt.date(2026, 3, 26), dt.date(2026, 4, 30)]


def test_a_monthly_series_needs_a_rank_and_room_for_one_slot(world, ft):
    with pytest.raises(ValidationError) as caught:
        SlotSeries(
            partner=ft.partner,
            station=ft.station,
            kiosk=world.kiosk_coutances,
            rule=SlotSeries.Rule.MONTHLY,
            weekday=Weekday.THURSDAY,
            start_time=dt.time(9),
            end_time=dt.time(9, 10),
            slot_minutes=30,
            first_day=dt.date(2026, 3, 1),
        ).full_clean()
    assert set(caught.value.message_dict) >= {"rank", "end_time"}


def test_a_site_slot_covers_every_kiosk_of_the_site(world, ft):
    second = Kiosk.objects.create(site=world.coutances, code="BRN-COUT-02", label="Seconde borne")
    Entitlement.objects.create(partner=ft.partner, kiosk=second, mode=Entitlement.Mode.APPOINTMENT_ONLY)
    slot = open_ft_slot(world, ft, site=world.coutances)
    assert set(slot.place_kiosks()) == {world.kiosk_coutances, second}
    assert isinstance(slot.place, HostSite)

"""A booked slot reserves its kiosk: shown shortly before, walk-in partners hidden, lifted when it is over."""

from tests.scheduling.conftest import paris
from visiorelais.calls.services import call_accept, call_end, station_take
from visiorelais.scheduling.selectors import kiosk_reservation, kiosk_takes_appointments
from visiorelais.scheduling.services import appointment_cancel, appointment_check_in


def test_a_free_slot_reserves_nothing(world, ft, ft_slot):
    assert kiosk_reservation(kiosk=world.kiosk_coutances, now=paris(2026, 3, 5, 9, 0)) is None


def test_a_booked_slot_reserves_its_kiosk_shortly_before_and_hides_the_walk_in_partners(world, ft, booked):
    assert kiosk_reservation(kiosk=world.kiosk_coutances, now=paris(2026, 3, 5, 8, 44)) is None
    reservation = kiosk_reservation(kiosk=world.kiosk_coutances, now=paris(2026, 3, 5, 8, 45))
    assert reservation == {
        "slot_id": booked.slot_id,
        "partner_id": ft.partner.pk,
        "partner_short_name": "France Travail",
        "starts_at": "2026-03-05T08:00:00+00:00",
        "ends_at": "2026-03-05T08:30:00+00:00",
        "checked_in": False,
        "hidden_partner_ids": sorted([world.caf.pk, world.cpam.pk]),
    }
    assert kiosk_reservation(kiosk=world.kiosk_coutances, now=paris(2026, 3, 5, 9, 29))["slot_id"] == booked.slot_id
    assert kiosk_reservation(kiosk=world.kiosk_coutances, now=paris(2026, 3, 5, 9, 30)) is None


def test_other_kiosks_are_not_reserved(world, ft, booked):
    assert kiosk_reservation(kiosk=world.kiosk_saint_lo, now=paris(2026, 3, 5, 9, 0)) is None


def test_the_reserve_lead_follows_the_setting(world, ft, booked, settings):
    settings.APPOINTMENT_RESERVE_MINUTES_BEFORE = 30
    assert kiosk_reservation(kiosk=world.kiosk_coutances, now=paris(2026, 3, 5, 8, 30)) is not None


def test_a_cancelled_appointment_lifts_the_reservation(world, ft, booked):
    appointment_cancel(user=world.hugo, appointment_id=booked.pk)
    assert kiosk_reservation(kiosk=world.kiosk_coutances, now=paris(2026, 3, 5, 9, 0)) is None


def test_the_reservation_lifts_when_the_appointments_call_is_over(world, ft, booked, clock):
    clock.move_to(paris(2026, 3, 5, 8, 50), tick=False)
    station_take(agent=ft.karim, station_id=ft.station.pk)
    appointment = appointment_check_in(kiosk=world.kiosk_coutances, code=booked.code)
    assert kiosk_reservation(kiosk=world.kiosk_coutances, now=paris(2026, 3, 5, 8, 51))["checked_in"] is True
    call_accept(agent=ft.karim, call_id=appointment.call_id)
    clock.move_to(paris(2026, 3, 5, 9, 10), tick=False)
    call_end(call_id=appointment.call_id, kiosk=world.kiosk_coutances)
    assert kiosk_reservation(kiosk=world.kiosk_coutances, now=paris(2026, 3, 5, 9, 11)) is None


def test_the_kiosk_offers_check_in_on_the_day_of_an_appointment(world, ft, booked):
    assert not kiosk_takes_appointments(kiosk=world.kiosk_coutances, now=paris(2026, 3, 4, 12, 0))
    assert kiosk_takes_appointments(kiosk=world.kiosk_coutances, now=paris(2026, 3, 5, 7, 0))
    assert not kiosk_takes_appointments(kiosk=world.kiosk_saint_lo, now=paris(2026, 3, 5, 7, 0))

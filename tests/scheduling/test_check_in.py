"""Check-in at the kiosk: the code, the grace period, the call straight to the booked station ahead of the
walk-in queue; then no-shows and completions recorded."""

import pytest

from tests.scheduling.conftest import book, open_ft_slot, paris
from visiorelais.calls.models import Call, CallEvent
from visiorelais.calls.services import (
    call_accept,
    call_end,
    call_give_up,
    call_request,
    station_set_available,
    station_take,
)
from visiorelais.network.models import Kiosk
from visiorelais.scheduling.errors import SchedulingRefused
from visiorelais.scheduling.models import Appointment, AppointmentEvent
from visiorelais.scheduling.services import (
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_mark_no_shows,
    appointment_settle_calls,
    slot_open,
)

Status = Appointment.Status


@pytest.fixture
def karim_seated(ft, clock):
    clock.move_to(paris(2026, 3, 5, 8, 45), tick=False)
    return station_take(agent=ft.karim, station_id=ft.station.pk)


def refused(code, call):
    calls_before, events_before = Call.objects.count(), AppointmentEvent.objects.count()
    with pytest.raises(SchedulingRefused) as caught:
        call()
    assert caught.value.code == code
    assert Call.objects.count() == calls_before, "a refused check-in placed a call"
    assert AppointmentEvent.objects.count() == events_before, "a refused check-in wrote an event"
    return caught.value.text


@pytest.mark.parametrize("at", [(8, 45), (9, 0), (9, 15)])
def test_a_check_in_within_the_grace_period_places_the_call_to_the_booked_station(
    world, ft, booked, karim_seated, clock, at
):
    clock.move_to(paris(2026, 3, 5, *at), tick=False)
    appointment = appointment_check_in(kiosk=world.kiosk_coutances, code=booked.code)
    assert appointment.status == Status.CHECKED_IN
    call = appointment.call
    assert (call.status, call.station, call.reserved_station) == (Call.Status.OFFERED, ft.station, ft.station)
    assert call.topic == ft.topic
    assert appointment.events.last().kind == AppointmentEvent.Kind.CHECKED_IN
    assert appointment.events.last().kiosk == world.kiosk_coutances


def test_the_code_may_be_typed_with_spaces(world, ft, booked, karim_seated):
    spaced = f"{booked.code[:3]} {booked.code[3:]}"
    assert appointment_check_in(kiosk=world.kiosk_coutances, code=spaced).status == Status.CHECKED_IN


def test_too_early_says_from_when(world, ft, booked, karim_seated, clock):
    clock.move_to(paris(2026, 3, 5, 8, 44), tick=False)
    text = refused("too_early", lambda: appointment_check_in(kiosk=world.kiosk_coutances, code=booked.code))
    assert text == "Votre rendez-vous est à 9 h. Revenez à partir de 8 h 45 et tapez à nouveau votre code."


def test_too_late_says_what_to_do(world, ft, booked, karim_seated, clock):
    clock.move_to(paris(2026, 3, 5, 9, 16), tick=False)
    text = refused("too_late", lambda: appointment_check_in(kiosk=world.kiosk_coutances, code=booked.code))
    assert text == (
        "Votre rendez-vous était à 9 h : il est trop tard pour le commencer. "
        "Demandez à l'accueil pour en prendre un nouveau."
    )
    assert Appointment.objects.get().status == Status.BOOKED


def test_the_grace_period_follows_the_settings(world, ft, booked, karim_seated, clock, settings):
    settings.APPOINTMENT_GRACE_MINUTES_AFTER = 30
    clock.move_to(paris(2026, 3, 5, 9, 25), tick=False)
    assert appointment_check_in(kiosk=world.kiosk_coutances, code=booked.code).status == Status.CHECKED_IN


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef"])
def test_a_malformed_code_is_refused(world, booked, karim_seated, code):
    text = refused("code_malformed", lambda: appointment_check_in(kiosk=world.kiosk_coutances, code=code))
    assert text == "Tapez les 6 chiffres de votre code de rendez-vous."


def test_an_unknown_code_is_refused(world, booked, karim_seated):
    unknown = "222222" if booked.code != "222222" else "333333"
    text = refused("code_unknown", lambda: appointment_check_in(kiosk=world.kiosk_coutances, code=unknown))
    assert text == "Ce code ne correspond à aucun rendez-vous. Vérifiez-le sur votre ticket, ou demandez à l'accueil."


def test_an_already_used_code_is_refused(world, ft, booked, karim_seated):
    appointment = appointment_check_in(kiosk=world.kiosk_coutances, code=booked.code)
    call_accept(agent=ft.karim, call_id=appointment.call_id)
    text = refused("code_used", lambda: appointment_check_in(kiosk=world.kiosk_coutances, code=booked.code))
    assert text == "Ce code a déjà servi : votre rendez-vous a déjà commencé. Demandez à l'accueil."


def test_a_cancelled_code_is_refused(world, ft, booked, karim_seated):
    appointment_cancel(user=world.hugo, appointment_id=booked.pk)
    text = refused("code_cancelled", lambda: appointment_check_in(kiosk=world.kiosk_coutances, code=booked.code))
    assert text == "Ce rendez-vous a été annulé. Demandez à l'accueil pour en prendre un nouveau."


def test_a_code_typed_at_another_kiosk_names_the_right_place(world, ft, booked, karim_seated):
    text = refused("code_other_place", lambda: appointment_check_in(kiosk=world.kiosk_saint_lo, code=booked.code))
    assert text == "Ce rendez-vous a lieu sur une autre borne : France Services de Coutances (Coutances)."


def test_nobody_seated_at_the_booked_station_is_said_plainly(world, ft, booked, clock):
    clock.move_to(paris(2026, 3, 5, 9, 0), tick=False)
    text = refused("station_not_staffed", lambda: appointment_check_in(kiosk=world.kiosk_coutances, code=booked.code))
    assert text.startswith("Votre conseiller n'est pas encore connecté.")
    assert Appointment.objects.get().status == Status.BOOKED


def test_a_kiosk_already_in_a_call_asks_to_wait(world, ft, booked, karim_seated, clock):
    station_take(agent=world.alice, station_id=world.caf_station_1.pk)
    clock.move_to(paris(2026, 3, 5, 9, 0), tick=False)
    call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    text = refused("kiosk_busy", lambda: appointment_check_in(kiosk=world.kiosk_coutances, code=booked.code))
    assert text == "La borne est déjà en communication. Attendez la fin de l'appel puis tapez à nouveau votre code."


# Ahead of the walk-in queue: a CAF appointment at Coutances while walk-ins wait for CAF.


@pytest.fixture
def second_saint_lo_kiosk(world):
    return Kiosk.objects.create(site=world.saint_lo, code="BRN-STLO-02", label="Seconde borne de Saint-Lô")


@pytest.fixture
def caf_appointment(world, clock):
    slot = slot_open(
        partner=world.caf,
        station=world.caf_station_1,
        kiosk=world.kiosk_coutances,
        starts_at=paris(2026, 3, 2, 10, 30),
        length_minutes=30,
    )
    return appointment_book(user=world.hugo, slot_id=slot.pk, name="Mme Lehoux", topic_id=world.caf_topic.pk)


def test_the_checked_in_call_reaches_the_booked_station_ahead_of_a_waiting_walk_in(
    world, clock, caf_appointment, second_saint_lo_kiosk
):
    station_take(agent=world.alice, station_id=world.caf_station_1.pk)
    busy = call_request(kiosk=world.kiosk_saint_lo, partner_id=world.caf.pk)
    call_accept(agent=world.alice, call_id=busy.pk)
    clock.shift(60)
    walk_in = call_request(kiosk=second_saint_lo_kiosk, partner_id=world.caf.pk)
    assert walk_in.status == Call.Status.QUEUED
    clock.move_to(paris(2026, 3, 2, 10, 20), tick=False)

    appointment = appointment_check_in(kiosk=world.kiosk_coutances, code=caf_appointment.code)
    assert appointment.call.status == Call.Status.QUEUED
    call_end(call_id=busy.pk, agent=world.alice)
    station_set_available(agent=world.alice)

    appointment.call.refresh_from_db()
    walk_in.refresh_from_db()
    assert (appointment.call.status, appointment.call.station) == (Call.Status.OFFERED, world.caf_station_1)
    assert walk_in.status == Call.Status.QUEUED
    assert walk_in.queued_at < appointment.call.queued_at


def test_settling_marks_completed_calls_and_missed_ones(world, ft, booked, karim_seated, clock):
    appointment = appointment_check_in(kiosk=world.kiosk_coutances, code=booked.code)
    call_accept(agent=ft.karim, call_id=appointment.call_id)
    clock.shift(600)
    call_end(call_id=appointment.call_id, agent=ft.karim)
    assert appointment_settle_calls() == [appointment.pk]
    appointment.refresh_from_db()
    assert appointment.status == Status.COMPLETED
    assert appointment.events.last().kind == AppointmentEvent.Kind.COMPLETED
    assert appointment_settle_calls() == []


def test_a_resident_whose_call_went_unanswered_may_type_the_code_again(world, ft, booked, karim_seated, clock):
    clock.move_to(paris(2026, 3, 5, 8, 55), tick=False)
    first = appointment_check_in(kiosk=world.kiosk_coutances, code=booked.code)
    call_give_up(kiosk=world.kiosk_coutances, call_id=first.call_id)
    station_set_available(agent=ft.karim)
    assert appointment_settle_calls() == []  # still within the check-in period
    again = appointment_check_in(kiosk=world.kiosk_coutances, code=booked.code)
    assert again.call_id != first.call_id
    assert again.events.filter(kind=AppointmentEvent.Kind.CHECKED_IN).count() == 2


def test_an_unanswered_check_in_is_closed_as_missed_after_the_slot(world, ft, booked, karim_seated, clock):
    first = appointment_check_in(kiosk=world.kiosk_coutances, code=booked.code)
    call_give_up(kiosk=world.kiosk_coutances, call_id=first.call_id)
    clock.move_to(paris(2026, 3, 5, 9, 31), tick=False)
    assert appointment_settle_calls() == [booked.pk]
    booked.refresh_from_db()
    assert (booked.status, booked.closed_at) == (Status.CHECKED_IN, paris(2026, 3, 5, 9, 31))
    assert booked.events.last().kind == AppointmentEvent.Kind.MISSED


def test_no_shows_are_recorded_after_the_grace_period_once(world, ft, booked, clock):
    clock.move_to(paris(2026, 3, 5, 9, 15), tick=False)
    assert appointment_mark_no_shows() == []
    clock.move_to(paris(2026, 3, 5, 9, 16), tick=False)
    assert appointment_mark_no_shows() == [booked.pk]
    assert appointment_mark_no_shows() == []
    booked.refresh_from_db()
    assert booked.status == Status.NO_SHOW
    assert booked.events.filter(kind=AppointmentEvent.Kind.NO_SHOW).count() == 1
    text = refused("too_late", lambda: appointment_check_in(kiosk=world.kiosk_coutances, code=booked.code))
    assert "9 h" in text


def test_cancelled_and_no_show_appointments_are_told_apart_in_the_event_record(world, ft, clock):
    kept = book(world, ft, open_ft_slot(world, ft, starts_at=paris(2026, 3, 5, 9, 0)), name="A")
    dropped = book(world, ft, open_ft_slot(world, ft, starts_at=paris(2026, 3, 5, 9, 30)), name="B")
    appointment_cancel(user=world.hugo, appointment_id=dropped.pk)
    clock.move_to(paris(2026, 3, 5, 12, 0), tick=False)
    appointment_mark_no_shows()
    kinds = dict(AppointmentEvent.objects.exclude(kind="booked").values_list("appointment__name", "kind"))
    assert kinds == {"A": "no_show", "B": "cancelled"}
    assert kept.pk != dropped.pk


def test_a_check_in_writes_the_call_events_of_an_ordinary_call(world, ft, booked, karim_seated):
    appointment = appointment_check_in(kiosk=world.kiosk_coutances, code=booked.code)
    kinds = list(appointment.call.events.order_by("pk").values_list("kind", flat=True))
    assert kinds == [CallEvent.Kind.REQUESTED, CallEvent.Kind.QUEUED, CallEvent.Kind.OFFERED]
    assert appointment.call.events.first().detail["reserved_station_id"] == ft.station.pk

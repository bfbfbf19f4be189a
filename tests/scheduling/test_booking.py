"""Booking and cancelling: who may book where, the least personal data, and each bad input refused in French
with nothing half-written."""

import pytest

from tests.scheduling.conftest import book, open_ft_slot, paris
from visiorelais.scheduling.errors import SchedulingRefused
from visiorelais.scheduling.models import Appointment, AppointmentEvent
from visiorelais.scheduling.services import appointment_book, appointment_cancel
from visiorelais.scheduling.services.appointments import CODE_DIGITS


def refused(code, call):
    with pytest.raises(SchedulingRefused) as caught:
        call()
    assert caught.value.code == code
    assert not Appointment.objects.exists(), "a refused booking wrote an appointment"
    assert not AppointmentEvent.objects.exists(), "a refused booking wrote an event"
    return caught.value.text


def test_a_host_agent_books_at_its_own_site_and_gets_a_six_digit_code(world, ft, ft_slot):
    appointment = book(world, ft, ft_slot, phone="06 12 34 56 78")
    assert appointment.status == Appointment.Status.BOOKED
    assert len(appointment.code) == 6 and set(appointment.code) <= set(CODE_DIGITS)
    assert appointment.phone == "+33612345678"
    assert appointment.booked_by == world.hugo
    event = appointment.events.get()
    assert (event.kind, event.by, event.detail["sms"], event.detail["email"]) == ("booked", world.hugo, True, False)


def test_a_partner_agent_books_its_partners_slot_with_a_name_and_topic_only(world, ft, ft_slot):
    appointment = book(world, ft, ft_slot, user=ft.karim, name="  M.   Osmont ")
    assert (appointment.name, appointment.phone, appointment.email) == ("M. Osmont", "", "")


def test_a_host_agent_cannot_book_at_another_site(world, ft, ft_slot):
    text = refused("not_allowed", lambda: book(world, ft, ft_slot, user=ft.sarah))
    assert text == "Vous ne pouvez réserver que les créneaux de votre partenaire ou de vos sites d'accueil."


def test_an_agent_of_another_partner_cannot_book(world, ft, ft_slot):
    refused("not_allowed", lambda: book(world, ft, ft_slot, user=world.alice))


def test_the_operator_and_observer_do_not_book_here(world, ft, ft_slot):
    refused("not_allowed", lambda: book(world, ft, ft_slot, user=world.olivia))
    refused("not_allowed", lambda: book(world, ft, ft_slot, user=world.oscar))


def test_a_booking_in_the_past_is_refused(world, ft, ft_slot, clock):
    clock.move_to(paris(2026, 3, 5, 9, 5), tick=False)
    text = refused("booking_past", lambda: book(world, ft, ft_slot))
    assert text == "Ce créneau est déjà passé : on ne peut plus le réserver."


@pytest.mark.parametrize("phone", ["06 12 34", "abcdefghij", "06 12 34 56 78 90", "+44 7911 123456", "00 00 00 00 00"])
def test_a_malformed_or_foreign_phone_number_is_refused(world, ft, ft_slot, phone):
    text = refused("bad_phone", lambda: book(world, ft, ft_slot, phone=phone))
    assert text.startswith("Ce numéro n'est pas un numéro de téléphone français valide.")


@pytest.mark.parametrize("phone", ["0612345678", "06.12.34.56.78", "+33 6 12 34 56 78", "0033612345678"])
def test_french_mobile_formats_are_accepted(world, ft, ft_slot, phone):
    assert book(world, ft, ft_slot, phone=phone).phone == "+33612345678"


def test_a_landline_cannot_receive_the_sms_reminder(world, ft, ft_slot):
    text = refused("phone_not_mobile", lambda: book(world, ft, ft_slot, phone="02 33 45 67 89"))
    assert "n'est pas un portable" in text


def test_an_empty_name_a_bad_email_and_a_missing_topic_are_refused(world, ft, ft_slot):
    refused("name_required", lambda: book(world, ft, ft_slot, name="   "))
    refused("bad_email", lambda: book(world, ft, ft_slot, email="lehoux@"))
    refused("bad_topic", lambda: book(world, ft, ft_slot, topic_id=None))
    refused("bad_topic", lambda: book(world, ft, ft_slot, topic_id=world.caf_topic.pk))


def test_a_slot_is_booked_once(world, ft, ft_slot):
    first = book(world, ft, ft_slot)
    with pytest.raises(SchedulingRefused) as caught:
        book(world, ft, ft_slot, name="Quelqu'un d'autre")
    assert caught.value.code == "slot_taken"
    assert list(Appointment.objects.all()) == [first]


def test_an_unknown_or_withdrawn_slot_is_refused(world, ft, ft_slot):
    refused("slot_unknown", lambda: appointment_book(user=world.hugo, slot_id=9999, name="X", topic_id=ft.topic.pk))
    ft_slot.active = False
    ft_slot.save()
    refused("slot_inactive", lambda: book(world, ft, ft_slot))


def test_cancelling_records_it_and_frees_the_slot(world, ft, booked, clock):
    clock.shift(60)
    cancelled = appointment_cancel(user=ft.karim, appointment_id=booked.pk)
    assert cancelled.status == Appointment.Status.CANCELLED
    assert cancelled.events.last().kind == AppointmentEvent.Kind.CANCELLED
    assert cancelled.events.last().by == ft.karim
    again = book(world, ft, booked.slot, name="M. Hamel")
    assert again.status == Appointment.Status.BOOKED


def test_only_those_who_may_book_may_cancel_and_only_once(world, ft, booked):
    for user in (ft.sarah, world.alice):
        with pytest.raises(SchedulingRefused) as caught:
            appointment_cancel(user=user, appointment_id=booked.pk)
        assert caught.value.code == "appointment_unknown"
    appointment_cancel(user=world.hugo, appointment_id=booked.pk)
    with pytest.raises(SchedulingRefused) as caught:
        appointment_cancel(user=world.hugo, appointment_id=booked.pk)
    assert caught.value.code == "not_cancellable"
    assert booked.events.filter(kind="cancelled").count() == 1


def test_codes_are_unique_among_live_appointments(world, ft):
    codes = set()
    for hour in range(9, 12):
        for minute in (0, 30):
            slot = open_ft_slot(world, ft, starts_at=paris(2026, 3, 5, hour, minute))
            codes.add(book(world, ft, slot).code)
    assert len(codes) == 6

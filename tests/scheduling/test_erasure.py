"""Erasing the residents' personal data of appointments after the slot, at the partner's delay, with the clock
moved by the test: what goes, what stays for the statistics, and the daily command that runs it."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from tests.scheduling.conftest import FIRST_THURSDAY_9AM, book, open_ft_slot, paris
from visiorelais.scheduling.models import Appointment, AppointmentEvent, PartnerCallbackPolicy, ReminderLog
from visiorelais.scheduling.services import (
    appointment_cancel,
    appointment_mark_no_shows,
    appointments_erase,
    reminders_send,
)

# In UTC, so that adding days is adding elapsed time (summer time starts in Paris in between).
SLOT_END = (FIRST_THURSDAY_9AM + dt.timedelta(minutes=30)).astimezone(dt.UTC)


@pytest.fixture(autouse=True)
def outboxes(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_SENDER = "file"
    settings.SMS_FILE_PATH = tmp_path / "sms.jsonl"


def test_name_phone_and_email_go_thirty_days_after_the_slot_and_the_rest_stays(world, ft, booked, clock):
    clock.move_to(paris(2026, 3, 4, 17, 0))
    reminders_send()
    clock.move_to(FIRST_THURSDAY_9AM + dt.timedelta(minutes=20))
    appointment_mark_no_shows()

    clock.move_to(SLOT_END + dt.timedelta(days=30) - dt.timedelta(minutes=1))
    too_early = appointments_erase()
    clock.move_to(SLOT_END + dt.timedelta(days=30))
    erased = appointments_erase()
    again = appointments_erase()

    assert (too_early, erased, again) == (0, 1, 0)
    appointment = Appointment.objects.select_related("slot").get(pk=booked.pk)
    assert (appointment.name, appointment.phone, appointment.email) == ("", "", "")
    assert appointment.erased_at is not None
    assert appointment.status == Appointment.Status.NO_SHOW
    assert (appointment.slot.partner, appointment.slot.kiosk) == (ft.partner, world.kiosk_coutances)
    assert appointment.slot.starts_at == FIRST_THURSDAY_9AM
    assert (appointment.topic, appointment.code, appointment.booked_at) == (ft.topic, booked.code, booked.booked_at)
    assert list(appointment.events.values_list("kind", flat=True)) == [
        "booked",
        "reminder_sent",
        "reminder_sent",
        "no_show",
        "erased",
    ]
    assert set(ReminderLog.objects.filter(appointment=appointment).values_list("recipient", flat=True)) == {""}
    assert "Lehoux" not in str(appointment)


def test_the_partners_delay_is_the_one_it_set_for_callbacks(world, ft, booked, clock):
    PartnerCallbackPolicy.objects.create(partner=ft.partner, erase_after_days=7)

    clock.move_to(SLOT_END + dt.timedelta(days=6))
    before = appointments_erase()
    clock.move_to(SLOT_END + dt.timedelta(days=7))
    after = appointments_erase()

    assert (before, after) == (0, 1)


def test_the_default_delay_follows_the_setting(world, ft, booked, clock, settings):
    settings.CALLBACK_ERASE_DAYS = 2

    clock.move_to(SLOT_END + dt.timedelta(days=2))

    assert appointments_erase() == 1


def test_a_cancelled_appointment_is_erased_after_its_slot_too_and_stays_cancelled(world, ft, booked, clock):
    appointment_cancel(user=world.hugo, appointment_id=booked.pk)

    clock.move_to(SLOT_END + dt.timedelta(days=30))
    appointments_erase()

    appointment = Appointment.objects.get(pk=booked.pk)
    assert (appointment.status, appointment.name, appointment.erased_at is not None) == ("cancelled", "", True)
    assert AppointmentEvent.objects.filter(appointment=appointment, kind="cancelled").exists()


def test_an_appointment_whose_slot_is_not_over_keeps_its_data(world, ft, booked, clock):
    later = book(world, ft, open_ft_slot(world, ft, starts_at=paris(2026, 4, 2, 9, 0)), name="M. Osmont")

    clock.move_to(SLOT_END + dt.timedelta(days=30))
    appointments_erase()

    assert Appointment.objects.get(pk=later.pk).name == "M. Osmont"
    assert Appointment.objects.get(pk=booked.pk).name == ""


def test_the_daily_command_erases_callbacks_and_appointments(world, ft, booked, clock):
    clock.move_to(SLOT_END + dt.timedelta(days=30))
    out = io.StringIO()

    call_command("erase-personal-data", stdout=out)

    assert out.getvalue().strip() == "0 numéro(s) de demande de rappel effacé(s), 1 rendez-vous anonymisé(s)."
    assert Appointment.objects.get(pk=booked.pk).erased_at is not None

"""Reminders the day before: by e-mail (Django's e-mail system) and by SMS (a pluggable sender), each logged."""

import json

import pytest
from django.core import mail

from tests.scheduling.conftest import book, open_ft_slot, paris
from visiorelais.scheduling.models import AppointmentEvent, ReminderLog
from visiorelais.scheduling.services import appointment_cancel, reminders_send
from visiorelais.scheduling.sms import ConsoleSmsSender, FileSmsSender, SmsError, SmsSender, sms_sender

WEDNESDAY_4PM = paris(2026, 3, 4, 16, 0)


@pytest.fixture
def sms_file(settings, tmp_path):
    settings.SMS_SENDER = "file"
    settings.SMS_FILE_PATH = tmp_path / "sms.jsonl"
    return settings.SMS_FILE_PATH


def sent_sms(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_the_day_before_it_sends_one_email_and_one_sms_and_logs_both(world, ft, booked, sms_file, clock):
    clock.move_to(WEDNESDAY_4PM, tick=False)
    run = reminders_send()
    assert (run.sent, run.failed) == (2, 0)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lehoux@exemple.fr"]
    assert message.subject == "Rappel : rendez-vous France Travail demain"
    assert booked.code in message.body
    assert "jeudi 5 mars 2026 à 9 h" in message.body
    [sms] = sent_sms(sms_file)
    assert sms["to"] == "+33612345678"
    assert booked.code in sms["text"]
    logs = ReminderLog.objects.order_by("channel")
    assert [(log.channel, log.outcome, log.recipient) for log in logs] == [
        ("email", "sent", "l•••@exemple.fr"),
        ("sms", "sent", "06 •• •• •• 78"),
    ]
    assert booked.events.filter(kind=AppointmentEvent.Kind.REMINDER_SENT).count() == 2


def test_running_it_again_sends_nothing_new(world, ft, booked, sms_file, clock):
    clock.move_to(WEDNESDAY_4PM, tick=False)
    reminders_send()
    clock.shift(3600)
    assert reminders_send().sent == 0
    assert len(mail.outbox) == 1
    assert len(sent_sms(sms_file)) == 1


def test_nothing_is_sent_for_a_cancelled_appointment(world, ft, booked, sms_file, clock):
    appointment_cancel(user=world.hugo, appointment_id=booked.pk)
    clock.move_to(WEDNESDAY_4PM, tick=False)
    assert reminders_send().sent == 0
    assert mail.outbox == []
    assert sent_sms(sms_file) == []
    assert not ReminderLog.objects.exists()


def test_nothing_is_sent_two_days_before_nor_without_contact(world, ft, booked, sms_file, clock):
    book(world, ft, open_ft_slot(world, ft, starts_at=paris(2026, 3, 5, 9, 30)), name="Sans contact")
    clock.move_to(paris(2026, 3, 3, 16, 0), tick=False)
    assert reminders_send().sent == 0
    clock.move_to(WEDNESDAY_4PM, tick=False)
    assert reminders_send().sent == 2  # Mme Lehoux only
    assert mail.outbox[0].to == ["lehoux@exemple.fr"]


class BrokenGateway(SmsSender):
    def send(self, *, to, text):
        raise SmsError("passerelle injoignable")


def test_a_failed_sms_is_logged_and_tried_again_next_run(world, ft, booked, settings, sms_file, clock):
    settings.SMS_SENDER = f"{__name__}.BrokenGateway"
    clock.move_to(WEDNESDAY_4PM, tick=False)
    run = reminders_send()
    assert (run.sent, run.failed) == (1, 1)
    failed = ReminderLog.objects.get(channel="sms")
    assert (failed.outcome, failed.error, failed.sender) == ("failed", "passerelle injoignable", "BrokenGateway")
    assert booked.events.filter(kind=AppointmentEvent.Kind.REMINDER_FAILED).count() == 1
    settings.SMS_SENDER = "file"
    assert reminders_send().sent == 1
    assert len(sent_sms(sms_file)) == 1
    assert len(mail.outbox) == 1


def test_the_sender_is_chosen_by_name_or_dotted_path(settings):
    settings.SMS_SENDER = "console"
    assert isinstance(sms_sender(), ConsoleSmsSender)
    settings.SMS_SENDER = "visiorelais.scheduling.sms.FileSmsSender"
    assert isinstance(sms_sender(), FileSmsSender)
    settings.SMS_SENDER = "visiorelais.scheduling.models.Slot"
    with pytest.raises(TypeError):
        sms_sender()


def test_the_command_sends_and_says_how_many(world, ft, booked, sms_file, clock):
    from io import StringIO

    from django.core.management import call_command

    clock.move_to(WEDNESDAY_4PM, tick=False)
    out = StringIO()
    call_command("send-reminders", stdout=out)
    assert out.getvalue().strip() == "2 rappel(s) envoyé(s), 0 en échec."

"""Reminders the day before: one e-mail and/or one SMS per booked appointment, each sending logged."""

import datetime as dt
from dataclasses import dataclass

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from visiorelais.network.selectors import PARIS
from visiorelais.scheduling.models import Appointment, AppointmentEvent, ReminderLog
from visiorelais.scheduling.phones import phone_masked
from visiorelais.scheduling.selectors import appointment_reminder_text
from visiorelais.scheduling.sms import SmsError, sms_sender

Channel, Outcome = ReminderLog.Channel, ReminderLog.Outcome


@dataclass
class ReminderRun:
    sent: int = 0
    failed: int = 0


def _masked_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


def _send(appointment: Appointment, channel: str, now: dt.datetime) -> bool:
    subject, text = appointment_reminder_text(appointment=appointment)
    error, sender_name = "", ""
    try:
        if channel == Channel.EMAIL:
            sender_name = "django.core.mail"
            recipient = _masked_email(appointment.email)
            send_mail(subject, text, None, [appointment.email])
        else:
            sender = sms_sender()
            sender_name = type(sender).__name__
            recipient = phone_masked(appointment.phone)
            sender.send(to=appointment.phone, text=text)
    except (SmsError, OSError) as failure:
        error = str(failure)[:300] or type(failure).__name__
    outcome = Outcome.FAILED if error else Outcome.SENT
    ReminderLog.objects.create(
        appointment=appointment,
        channel=channel,
        recipient=recipient,
        outcome=outcome,
        sender=sender_name,
        error=error,
        at=now,
    )
    AppointmentEvent.objects.create(
        appointment=appointment,
        kind=AppointmentEvent.Kind.REMINDER_FAILED if error else AppointmentEvent.Kind.REMINDER_SENT,
        at=now,
        detail={"channel": channel},
    )
    return not error


def reminders_send(*, now: dt.datetime | None = None) -> ReminderRun:
    """Reminds the residents booked for tomorrow (the next day in Paris): by e-mail (Django's e-mail system)
    when they gave an address, by SMS (the SMS_SENDER) when they gave a mobile number.

    Each sending, successful or not, is logged (ReminderLog and an AppointmentEvent). A channel already sent
    for an appointment is not sent again, so a second run the same day sends nothing new; a failed one is
    tried again at the next run. Nothing is sent for an appointment that is no longer booked (cancelled).
    """
    now = now or timezone.now()
    tomorrow = now.astimezone(PARIS).date() + dt.timedelta(days=1)
    start = dt.datetime.combine(tomorrow, dt.time(0), tzinfo=PARIS)
    end = dt.datetime.combine(tomorrow + dt.timedelta(days=1), dt.time(0), tzinfo=PARIS)
    run = ReminderRun()
    due = Appointment.objects.filter(
        status=Appointment.Status.BOOKED, slot__starts_at__gte=start, slot__starts_at__lt=end
    )
    for appointment_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            appointment = (
                Appointment.objects.select_for_update(of=("self",))
                .select_related("slot__partner", "slot__kiosk__site", "slot__site")
                .filter(pk=appointment_id, status=Appointment.Status.BOOKED)
                .first()
            )
            if appointment is None:
                continue  # cancelled meanwhile
            sent = set(appointment.reminders.filter(outcome=Outcome.SENT).values_list("channel", flat=True))
            channels = [
                channel
                for channel, wanted in ((Channel.EMAIL, appointment.email), (Channel.SMS, appointment.phone))
                if wanted and channel not in sent
            ]
            for channel in channels:
                if _send(appointment, channel, now):
                    run.sent += 1
                else:
                    run.failed += 1
    return run

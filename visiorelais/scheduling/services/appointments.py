"""The appointment state machine: book, cancel, check in at the kiosk, settle (no-shows, completions); and the
erasure of the residents' personal data after the slot."""

import datetime as dt
import re
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from visiorelais.accounts.models import User
from visiorelais.calls.errors import CallRefused
from visiorelais.calls.models import Call
from visiorelais.calls.services import call_request
from visiorelais.network.models import Kiosk, Partner, Topic
from visiorelais.network.selectors import PARIS
from visiorelais.scheduling import conf
from visiorelais.scheduling.errors import SchedulingRefused
from visiorelais.scheduling.models import Appointment, AppointmentEvent, ReminderLog, Slot
from visiorelais.scheduling.phones import phone_normalise
from visiorelais.scheduling.selectors import LIVE, callback_policy, slot_reach

Status = Appointment.Status
Kind = AppointmentEvent.Kind

# Digits that cannot be misread when written by hand or said on the phone (no 0/O, no 1/l/7 confusion).
CODE_DIGITS = "23456789"
CODE_LENGTH = 6
CODE_PATTERN = re.compile(rf"\d{{{CODE_LENGTH}}}")


def user_may_book(user: User, slot: Slot) -> bool:
    """A partner agent (or admin) of the slot's partner, or a host agent (or site manager) of its site: whoever
    reaches the slot on the booking pages (selectors.slot_reach)."""
    reach = slot_reach(user)
    return reach is not None and Slot.objects.filter(reach, pk=slot.pk).exists()


def contact_name(text: str) -> str:
    name = " ".join(text.split())
    if not name:
        raise SchedulingRefused("name_required", field="name")
    return name


def contact_phone(text: str) -> str:
    """A mobile number for the SMS reminder, in E.164; "" when none was given."""
    return phone_normalise(text, mobile=True) if text.strip() else ""


def contact_email(text: str) -> str:
    email = text.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise SchedulingRefused("bad_email", field="email") from None
    return email


def booking_contact(*, name: str, phone: str = "", email: str = "") -> tuple[str, str, str]:
    """The booking's personal data, cleaned: (name, phone in E.164 or "", email or ""). Refused: `name_required`,
    `bad_phone`, `phone_not_mobile` (the reminder goes by SMS), `bad_email`."""
    return contact_name(name), contact_phone(phone), contact_email(email)


def _new_code() -> str:
    taken = set(Appointment.objects.filter(LIVE).values_list("code", flat=True))
    while True:
        code = "".join(secrets.choice(CODE_DIGITS) for _ in range(CODE_LENGTH))
        if code not in taken:
            return code


def _event(appointment: Appointment, kind: str, at: dt.datetime, *, by=None, kiosk=None, **detail) -> None:
    AppointmentEvent.objects.create(appointment=appointment, kind=kind, at=at, by=by, kiosk=kiosk, detail=detail)


def appointment_book(
    *,
    user: User,
    slot_id: int,
    name: str,
    topic_id: int | None,
    phone: str = "",
    email: str = "",
    now: dt.datetime | None = None,
) -> Appointment:
    """Books a slot for a resident: a name, the topic, and optionally a mobile number and/or an e-mail address
    for the reminder. Returns the appointment, `booked`, with its check-in code.

    Allowed for a partner agent (or admin) of the slot's partner, and for a host agent (or site manager) of the
    site of the slot's kiosk or site. Refused (nothing written): `not_allowed`, `slot_unknown`, `slot_inactive`,
    `booking_past` (the slot has started), `slot_taken` (it has a live appointment), `bad_topic` (not an active
    topic of the partner), and the contact refusals of `booking_contact`.
    """
    now = now or timezone.now()
    name, phone, email = booking_contact(name=name, phone=phone, email=email)
    with transaction.atomic():
        slot = (
            Slot.objects.select_for_update(of=("self",)).select_related("kiosk", "partner").filter(pk=slot_id).first()
        )
        if slot is None:
            raise SchedulingRefused("slot_unknown")
        if not user_may_book(user, slot):
            raise SchedulingRefused("not_allowed")
        if not slot.active:
            raise SchedulingRefused("slot_inactive")
        if slot.starts_at <= now:
            raise SchedulingRefused("booking_past")
        topic = Topic.objects.filter(pk=topic_id, partner_id=slot.partner_id, active=True).first() if topic_id else None
        if topic is None:
            raise SchedulingRefused("bad_topic", field="topic")
        if slot.appointments.filter(status__in=Appointment.LIVE_STATUSES).exists():
            raise SchedulingRefused("slot_taken")
        try:
            with transaction.atomic():
                appointment = Appointment.objects.create(
                    slot=slot,
                    name=name,
                    phone=phone,
                    email=email,
                    topic=topic,
                    code=_new_code(),
                    booked_by=user,
                    booked_at=now,
                )
        except IntegrityError:
            raise SchedulingRefused("slot_taken") from None
        _event(appointment, Kind.BOOKED, now, by=user, sms=bool(phone), email=bool(email), role=user.role)
    return appointment


def appointment_cancel(*, user: User, appointment_id: int, now: dt.datetime | None = None) -> Appointment:
    """Cancels a booked appointment; its slot may be booked again, its code no longer works, no reminder goes.

    Allowed: booked → cancelled, by those who may book the slot. Refused: `appointment_unknown` (no such
    appointment, or out of the user's reach), `not_cancellable` (no longer booked).
    """
    now = now or timezone.now()
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("slot__kiosk")
            .filter(pk=appointment_id)
            .first()
        )
        if appointment is None or not user_may_book(user, appointment.slot):
            raise SchedulingRefused("appointment_unknown")
        if appointment.status != Status.BOOKED:
            raise SchedulingRefused("not_cancellable")
        appointment.status = Status.CANCELLED
        appointment.closed_at = now
        appointment.save(update_fields=["status", "closed_at"])
        _event(appointment, Kind.CANCELLED, now, by=user)
    return appointment


def _local_time(at: dt.datetime) -> str:
    local = at.astimezone(PARIS)
    return f"{local.hour} h {local.minute:02d}" if local.minute else f"{local.hour} h"


CALL_REFUSALS = {
    "kiosk_busy": "kiosk_busy",
    "station_not_staffed": "station_not_staffed",
    "bad_station": "station_not_staffed",
}


def appointment_check_in(*, kiosk: Kiosk, code: str, now: dt.datetime | None = None) -> Appointment:
    """The resident types their code at the kiosk: the call is placed at once, for the booked station only,
    ahead of every walk-in call of the partner (calls.services.call_request with `reserved_station_id`).

    Allowed: booked → checked_in, at a kiosk of the slot's place, from APPOINTMENT_GRACE_MINUTES_BEFORE before
    the start to APPOINTMENT_GRACE_MINUTES_AFTER after it. Also allowed again, within the same period, for a
    checked-in appointment whose call ended without being answered. Returns the appointment; its `call` is the
    new call (queued or already offered). Refused (nothing written): `code_malformed`, `code_unknown`,
    `code_used`, `code_cancelled`, `code_other_place`, `too_early`, `too_late`, `station_not_staffed` (nobody
    seated at the booked station), `kiosk_busy` (the kiosk has a call open).
    """
    now = now or timezone.now()
    code = re.sub(r"\s", "", code or "")
    if not CODE_PATTERN.fullmatch(code):
        raise SchedulingRefused("code_malformed")
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("slot__kiosk__site", "slot__site", "call")
            .filter(code=code, status__in=Appointment.LIVE_STATUSES, closed_at__isnull=True)
            .first()
        )
        if appointment is None:
            earlier = Appointment.objects.filter(code=code).order_by("-booked_at").select_related("slot").first()
            if earlier is None:
                raise SchedulingRefused("code_unknown")
            if earlier.status == Status.CANCELLED:
                raise SchedulingRefused("code_cancelled")
            if earlier.status == Status.NO_SHOW:
                raise SchedulingRefused("too_late", time=_local_time(earlier.slot.starts_at))
            raise SchedulingRefused("code_used")
        slot = appointment.slot
        if not slot.place_kiosks().filter(pk=kiosk.pk).exists():
            raise SchedulingRefused("code_other_place", place=str(slot.kiosk.site if slot.kiosk_id else slot.site))
        if appointment.status == Status.CHECKED_IN and not _call_missed(appointment.call):
            raise SchedulingRefused("code_used")
        if now < slot.starts_at - conf.grace_before():
            raise SchedulingRefused(
                "too_early",
                time=_local_time(slot.starts_at),
                earliest=_local_time(slot.starts_at - conf.grace_before()),
            )
        if now > slot.starts_at + conf.grace_after():
            raise SchedulingRefused("too_late", time=_local_time(slot.starts_at))
        topic_id = appointment.topic_id if appointment.topic and appointment.topic.active else None
        try:
            call = call_request(
                kiosk=kiosk,
                partner_id=slot.partner_id,
                topic_id=topic_id,
                now=now,
                reserved_station_id=slot.station_id,
            )
        except CallRefused as refused:
            raise SchedulingRefused(CALL_REFUSALS.get(refused.code, "station_not_staffed")) from None
        appointment.status = Status.CHECKED_IN
        appointment.checked_in_at = now
        appointment.call = call
        appointment.save(update_fields=["status", "checked_in_at", "call"])
        _event(appointment, Kind.CHECKED_IN, now, kiosk=kiosk, call_id=call.pk)
    return appointment


def _call_missed(call: Call | None) -> bool:
    return call is not None and call.status == Call.Status.ENDED and call.connected_at is None


def appointment_mark_no_shows(*, now: dt.datetime | None = None) -> list[int]:
    """booked → no_show for every appointment whose check-in period is over; returns their ids.
    Meant for a periodic task (`settle-appointments`); a second run finds nothing to do."""
    now = now or timezone.now()
    due = Appointment.objects.filter(status=Status.BOOKED, slot__starts_at__lt=now - conf.grace_after())
    marked = []
    for appointment_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            appointment = (
                Appointment.objects.select_for_update().filter(pk=appointment_id, status=Status.BOOKED).first()
            )
            if appointment is None:
                continue  # checked in or cancelled meanwhile
            appointment.status = Status.NO_SHOW
            appointment.closed_at = now
            appointment.save(update_fields=["status", "closed_at"])
            _event(appointment, Kind.NO_SHOW, now)
        marked.append(appointment_id)
    return marked


def appointment_settle_calls(*, now: dt.datetime | None = None) -> list[int]:
    """Closes checked-in appointments whose call has ended; returns their ids.

    checked_in → completed when the call was answered; when it was not, the appointment stays checked_in and
    is closed with a `missed` event once its slot and check-in period are both over (until then the resident
    may type the code again).
    """
    now = now or timezone.now()
    settled = []
    open_checked_in = Appointment.objects.filter(
        status=Status.CHECKED_IN, closed_at__isnull=True, call__status=Call.Status.ENDED
    )
    for appointment_id in list(open_checked_in.values_list("pk", flat=True)):
        with transaction.atomic():
            appointment = (
                Appointment.objects.select_for_update(of=("self",))
                .select_related("slot", "call")
                .filter(pk=appointment_id, status=Status.CHECKED_IN, closed_at__isnull=True)
                .first()
            )
            if appointment is None or appointment.call.status != Call.Status.ENDED:
                continue
            if appointment.call.connected_at is not None:
                appointment.status = Status.COMPLETED
                kind = Kind.COMPLETED
            elif now >= max(appointment.slot.ends_at, appointment.slot.starts_at + conf.grace_after()):
                kind = Kind.MISSED
            else:
                continue
            appointment.closed_at = now
            appointment.save(update_fields=["status", "closed_at"])
            _event(appointment, kind, now, call_id=appointment.call_id, outcome=appointment.call.outcome)
        settled.append(appointment_id)
    return settled


def appointments_erase(*, now: dt.datetime | None = None) -> int:
    """Erases the residents' personal data the partners' delays no longer allow to keep; returns how many
    appointments were erased.

    An appointment loses its name, phone and e-mail (and the masked recipients of its reminder log)
    `erase_after_days` (the partner's PartnerCallbackPolicy, CALLBACK_ERASE_DAYS by default: 30) after its slot
    ended, whatever its status; `erased_at` is set and an `erased` event appended. Status, times, partner,
    place, topic and events stay for the statistics. Safe to run twice or from two processes.
    """
    now = now or timezone.now()
    erased = 0
    due = Appointment.objects.filter(erased_at__isnull=True, slot__ends_at__lte=now)
    partner_ids = due.values_list("slot__partner_id", flat=True).distinct()
    for partner in Partner.objects.filter(pk__in=list(partner_ids)):
        limit = now - dt.timedelta(days=callback_policy(partner=partner).erase_after_days)
        ids = list(due.filter(slot__partner=partner, slot__ends_at__lte=limit).values_list("pk", flat=True))
        for appointment_id in ids:
            with transaction.atomic():
                appointment = (
                    Appointment.objects.select_for_update().filter(pk=appointment_id, erased_at__isnull=True).first()
                )
                if appointment is None:
                    continue  # erased by another process meanwhile
                appointment.name = appointment.phone = appointment.email = ""
                appointment.erased_at = now
                appointment.save(update_fields=["name", "phone", "email", "erased_at"])
                ReminderLog.objects.filter(appointment=appointment).update(recipient="")
                _event(appointment, Kind.ERASED, now)
            erased += 1
    return erased

"""The demo's appointments and callbacks, loaded by `visiorelais demo-data` after the network.

France Travail answers on Thursday mornings, by appointment only, at Coutances (see network/demo/data.py): its
series opens the first Thursday of each month, 9:00–12:00, in 30-minute slots. A few residents are booked on
its next free slots (signed in as accueil-coutances, each ticket page offers « Imprimer sur la borne
BRN-COUT-01 »: the demo bridge prints it), and a few callback requests wait for CAF and CPAM.

Idempotent: the series is found by its rule, the slots by series and start, an appointment by the resident's
name while it is live, a callback request by partner and phone number while that number is kept. Residents are
fictitious; e-mail addresses end in .invalid and phone numbers are in ARCEP's range for fiction (01 99 00…), so
that no reminder nor callback can reach anyone.
"""

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from visiorelais.accounts.models import User
from visiorelais.network.demo import data
from visiorelais.network.models import Kiosk, Partner, Station, Topic, Weekday
from visiorelais.scheduling.models import (
    Appointment,
    CallbackAttempt,
    CallbackEvent,
    CallbackRequest,
    SlotSeries,
)
from visiorelais.scheduling.phones import phone_normalise
from visiorelais.scheduling.services import appointment_book, slot_series_open

Record = Callable[[str, int], None]

FRANCE_TRAVAIL = "France Travail"
SERIES = {
    "rule": SlotSeries.Rule.MONTHLY,
    "rank": SlotSeries.Rank.FIRST,
    "weekday": Weekday.THURSDAY,
    "start_time": dt.time(9, 0),
    "end_time": dt.time(12, 0),
    "slot_minutes": 30,
    "first_day": dt.date(2026, 1, 1),
}
# (name, topic, e-mail, booked by)
APPOINTMENTS = [
    ("Mme Martine Lehoux", "Inscription et actualisation", "martine.lehoux@exemple.invalid", "accueil-coutances"),
    ("M. Yannick Osmont", "Indemnisation", "", "accueil-coutances"),
    ("Mme Sandrine Quesnel", "Formation", "s.quesnel@exemple.invalid", "agent-france-travail"),
]
# (partner, kiosk, topic, phone, period, reason, state)
CALLBACKS = [
    ("CAF", "BRN-LESS-01", "Aides au logement (APL)", "01 99 00 12 01", "morning", "wait_too_long", "pending"),
    ("CAF", "BRN-PONT-01", "Prime d'activité", "01 99 00 12 02", "afternoon", "closed", "taken"),
    ("CPAM", "BRN-STLO-01", "Carte Vitale", "01 99 00 12 03", "any", "no_station_staffed", "done"),
]


def scheduling_demo_load(record: Record) -> dict[str, int]:
    """Loads France Travail's monthly series and slots, a few appointments and a few callback requests.
    `record(outcome, count)` tallies rows "created" or "unchanged" for the demo summary."""
    now = timezone.now()
    france_travail = Partner.objects.get(short_name=FRANCE_TRAVAIL)
    series = SlotSeries.objects.filter(partner=france_travail, **SERIES).first()
    if series is None:
        series = SlotSeries(
            partner=france_travail,
            station=Station.objects.get(partner=france_travail, label="France Travail poste 1"),
            kiosk=Kiosk.objects.get(code=data.FRANCE_TRAVAIL_KIOSK),
            **SERIES,
        )
        series.full_clean()
        series.save()
        record("created", 1)
    else:
        record("unchanged", 1)
    opened = slot_series_open(series=series, now=now)
    record("created", len(opened.created))
    free_slots = [
        slot
        for slot in series.slots.filter(active=True, starts_at__gt=now).order_by("starts_at")
        if not slot.appointments.filter(status__in=Appointment.LIVE_STATUSES).exists()
    ]
    for name, topic, email, booked_by in APPOINTMENTS:
        live = Appointment.objects.filter(
            slot__series=series, name=name, status__in=Appointment.LIVE_STATUSES, closed_at__isnull=True
        )
        if live.exists():
            record("unchanged", 1)
            continue
        if not free_slots:
            break
        appointment_book(
            user=User.objects.get(username=booked_by),
            slot_id=free_slots.pop(0).pk,
            name=name,
            topic_id=Topic.objects.get(partner=france_travail, label=topic).pk,
            email=email,
            now=now,
        )
        record("created", 2)  # the appointment and its event
    for partner_name, kiosk_code, topic, phone, period, reason, state in CALLBACKS:
        _load_callback(partner_name, kiosk_code, topic, phone_normalise(phone), period, reason, state, now, record)
    return {
        "slot_series": SlotSeries.objects.filter(partner=france_travail).count(),
        "slots": series.slots.filter(starts_at__gt=now).count(),
        "appointments": Appointment.objects.filter(slot__series=series, status=Appointment.Status.BOOKED).count(),
        "callbacks": CallbackRequest.objects.filter(phone__in=[phone_normalise(row[3]) for row in CALLBACKS]).count(),
    }


def _load_callback(partner_name, kiosk_code, topic, phone, period, reason, state, now, record: Record) -> None:
    partner = Partner.objects.get(short_name=partner_name)
    if CallbackRequest.objects.filter(partner=partner, phone=phone).exists():
        record("unchanged", 1)
        return
    requested_at = now - dt.timedelta(hours=3)
    agent = User.objects.get(username=f"agent-{partner_name.lower()}")
    request = CallbackRequest(
        partner=partner,
        kiosk=Kiosk.objects.get(code=kiosk_code),
        topic=Topic.objects.get(partner=partner, label=topic),
        phone=phone,
        preferred_period=period,
        reason=reason,
        requested_at=requested_at,
    )
    if state in ("taken", "done"):
        request.status, request.taken_by, request.taken_at = CallbackRequest.Status.TAKEN, agent, now
    if state == "done":
        request.status, request.closed_at = CallbackRequest.Status.DONE, now
    request.full_clean()
    request.save()
    events = [CallbackEvent(request=request, kind=CallbackEvent.Kind.REQUESTED, at=requested_at, detail={"demo": True})]
    if state in ("taken", "done"):
        events.append(CallbackEvent(request=request, kind=CallbackEvent.Kind.TAKEN, at=now, agent=agent))
    if state == "done":
        CallbackAttempt.objects.create(request=request, agent=agent, outcome=CallbackAttempt.Outcome.DONE, at=now)
        events.append(CallbackEvent(request=request, kind=CallbackEvent.Kind.ATTEMPT_DONE, at=now, agent=agent))
    CallbackEvent.objects.bulk_create(events)
    record("created", 1 + len(events) + (state == "done"))

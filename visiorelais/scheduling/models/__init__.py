"""Appointments and callbacks.

A partner opens slots (one by one, or from a SlotSeries): a station of the partner, a place (one kiosk, or a
host site when any of its kiosks will do), a start and a length. An Appointment books a slot with the least
personal data that works and a check-in code; a live appointment reserves the place, and its ticket may be
printed on a kiosk of the place (TicketPrint). A CallbackRequest is left at a kiosk when the partner cannot answer
now. Each state change is a service of scheduling/services that appends an event row (AppointmentEvent,
CallbackEvent); statistics read those rows. Personal data (an appointment's name, phone and e-mail; a callback's
phone) is erased at the partner's delay (PartnerCallbackPolicy.erase_after_days); the rows stay.

The models live in one module per sub-domain: `places` (what slots and series share), `slots`, `appointments`
(with their events, reminders and ticket prints), `callbacks` (with the partner's policy) and `feeds`. Import
them from this package: importing it is what registers them with the `scheduling` app.
"""

from visiorelais.scheduling.models.appointments import Appointment, AppointmentEvent, ReminderLog, TicketPrint
from visiorelais.scheduling.models.callbacks import (
    CallbackAttempt,
    CallbackEvent,
    CallbackRequest,
    PartnerCallbackPolicy,
)
from visiorelais.scheduling.models.feeds import CalendarFeedToken
from visiorelais.scheduling.models.places import SlotPlace, as_validation_error
from visiorelais.scheduling.models.slots import MAX_SLOT_MINUTES, MIN_SLOT_MINUTES, Slot, SlotSeries, local_label

__all__ = [
    "MAX_SLOT_MINUTES",
    "MIN_SLOT_MINUTES",
    "Appointment",
    "AppointmentEvent",
    "CalendarFeedToken",
    "CallbackAttempt",
    "CallbackEvent",
    "CallbackRequest",
    "PartnerCallbackPolicy",
    "ReminderLog",
    "Slot",
    "SlotPlace",
    "SlotSeries",
    "TicketPrint",
    "as_validation_error",
    "local_label",
]

"""Changes of appointments and callbacks (STYLE.md 4). Import services from here; the sub-modules are an
internal split by sub-domain."""

from visiorelais.scheduling.services.appointments import (
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_mark_no_shows,
    appointment_settle_calls,
    appointments_erase,
    booking_contact,
    contact_email,
    contact_name,
    contact_phone,
    user_may_book,
)
from visiorelais.scheduling.services.callbacks import (
    callback_attempt,
    callback_reason,
    callback_request,
    callback_take,
    callbacks_erase,
)
from visiorelais.scheduling.services.feeds import calendar_feed_token_reset
from visiorelais.scheduling.services.reminders import ReminderRun, reminders_send
from visiorelais.scheduling.services.slots import SeriesOpening, slot_open, slot_series_open, slot_series_open_all
from visiorelais.scheduling.services.tickets import ticket_print, ticket_print_update

__all__ = [
    "ReminderRun",
    "SeriesOpening",
    "appointment_book",
    "appointment_cancel",
    "appointment_check_in",
    "appointment_mark_no_shows",
    "appointment_settle_calls",
    "appointments_erase",
    "booking_contact",
    "calendar_feed_token_reset",
    "callback_attempt",
    "callback_reason",
    "callback_request",
    "callback_take",
    "callbacks_erase",
    "contact_email",
    "contact_name",
    "contact_phone",
    "reminders_send",
    "slot_open",
    "slot_series_open",
    "slot_series_open_all",
    "ticket_print",
    "ticket_print_update",
    "user_may_book",
]

"""iCalendar (.ics) feeds of appointments, built with the `icalendar` library."""

import datetime as dt

from icalendar import Calendar, Event

from visiorelais.scheduling.models import Appointment
from visiorelais.scheduling.selectors import place_label

PRODID = "-//Visio-relais//Rendez-vous//FR"


def appointments_ics(*, title: str, appointments, now: dt.datetime) -> bytes:
    """One VEVENT per appointment: the partner, the resident's name, the topic, the place. Neither phone nor
    e-mail. A cancelled appointment stays in the feed as STATUS:CANCELLED, so that calendars drop it."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", title)
    calendar.add("x-wr-timezone", "Europe/Paris")
    for appointment in appointments.select_related(
        "slot__partner", "slot__station", "slot__kiosk__site", "slot__site", "topic"
    ):
        slot = appointment.slot
        event = Event()
        event.add("uid", f"rendez-vous-{appointment.pk}@visiorelais")
        event.add("dtstamp", now.astimezone(dt.UTC))
        event.add("dtstart", slot.starts_at.astimezone(dt.UTC))
        event.add("dtend", slot.ends_at.astimezone(dt.UTC))
        event.add("summary", f"{slot.partner.short_name} — {appointment.name}")
        event.add("location", place_label(slot))
        lines = [f"Poste : {slot.station.label}", f"État : {appointment.get_status_display()}"]
        if appointment.topic_id:
            lines.insert(0, f"Motif : {appointment.topic.label}")
        event.add("description", "\n".join(lines))
        event.add("status", "CANCELLED" if appointment.status == Appointment.Status.CANCELLED else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()

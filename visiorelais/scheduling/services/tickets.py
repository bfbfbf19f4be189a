"""Printing an appointment's ticket on a kiosk of its place, through the kiosk's bridge (docs/scheduling.md).

Prints of call documents belong to their call (visiorelais/documents); a ticket is printed outside any call, when
the resident is at the host site's desk. It travels the same way: `bridge.ticket` to the kiosk's bridge (its
socket relays `ticket.print`), the bridge fetches the PDF with its device token (`/api/tickets/<id>.pdf`, drawn
then: nothing is stored), prints it, and reports `ticket.state` as it reports print jobs.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from visiorelais.accounts.models import User
from visiorelais.documents.events import group_for_bridge, publish_on_commit
from visiorelais.documents.selectors import peripherals_latest
from visiorelais.network.models import Kiosk
from visiorelais.scheduling import conf
from visiorelais.scheduling.errors import SchedulingRefused
from visiorelais.scheduling.models import Appointment, TicketPrint
from visiorelais.scheduling.selectors import appointment_get_for_user, ticket_kiosks_for_user

State = TicketPrint.State

TICKET_PRINT_MOVES = {
    State.QUEUED: {State.PRINTING, State.DONE, State.FAILED},
    State.PRINTING: {State.DONE, State.FAILED},
}


def _printer_refusal(kiosk: Kiosk, now: dt.datetime) -> SchedulingRefused | None:
    """Why the kiosk cannot print now, as far as the server knows: no printer fitted, a bridge silent for
    BRIDGE_ONLINE_SECONDS (or never heard from), or a printer its bridge reports absent."""
    if not kiosk.has_printer:
        return SchedulingRefused("kiosk_no_printer", kiosk=kiosk.code)
    report = peripherals_latest(kiosk_id=kiosk.pk)
    if report is None or (now - report.last_seen_at).total_seconds() > conf.BRIDGE_ONLINE_SECONDS:
        return SchedulingRefused("kiosk_offline", kiosk=kiosk.code)
    if not (isinstance(report.printer, dict) and report.printer.get("present")):
        return SchedulingRefused("printer_offline", kiosk=kiosk.code)
    return None


def ticket_print(*, user: User, appointment_id: int, kiosk_id: int, now: dt.datetime | None = None) -> TicketPrint:
    """Sends the appointment's ticket to the printer of a kiosk of its place; returns the TicketPrint, `queued`.

    Allowed for a host agent or site manager of the kiosk's site (selectors.ticket_kiosks_for_user), for a booked
    appointment. Refused (nothing written, nothing sent): `appointment_unknown` (out of the user's reach),
    `ticket_print_not_allowed` (a partner agent, a kiosk of another site or outside the slot's place),
    `ticket_not_printable` (no longer booked), `kiosk_no_printer`, `kiosk_offline` (its bridge is silent),
    `printer_offline` (its bridge reports no printer), `ticket_printing` (an earlier print of this ticket is still
    under way and not yet TICKET_PRINT_WAIT_SECONDS old). Publishes `bridge.ticket` after commit.
    """
    now = now or timezone.now()
    with transaction.atomic():
        reached = appointment_get_for_user(user=user, appointment_id=appointment_id)
        appointment = Appointment.objects.select_for_update().get(pk=reached.pk)
        appointment.slot = reached.slot
        kiosk = next((k for k in ticket_kiosks_for_user(user=user, appointment=appointment) if k.pk == kiosk_id), None)
        if kiosk is None:
            raise SchedulingRefused("ticket_print_not_allowed")
        if appointment.status != Appointment.Status.BOOKED:
            raise SchedulingRefused("ticket_not_printable")
        refusal = _printer_refusal(kiosk, now)
        if refusal:
            raise refusal
        under_way = appointment.ticket_prints.filter(
            state__in=TicketPrint.PENDING_STATES, updated_at__gt=now - conf.ticket_print_wait()
        )
        if under_way.exists():
            raise SchedulingRefused("ticket_printing")
        ticket = TicketPrint.objects.create(
            appointment=appointment, kiosk=kiosk, requested_by=user, requested_at=now, updated_at=now
        )
        publish_on_commit(group_for_bridge(kiosk.pk), "bridge.ticket", {"ticket_id": ticket.pk})
    return ticket


def ticket_print_update(
    *, kiosk: Kiosk, ticket_id: int, state: str, reason: str = "", now: dt.datetime | None = None
) -> TicketPrint:
    """The kiosk's bridge reports where a ticket print stands.

    Allowed: queued → printing → done | failed, queued → done | failed; `reason` (`out_of_paper`, `jammed`,
    `offline`, `error`) goes with `failed` only. Reporting the state the print is already in changes nothing.
    Refused: `ticket_print_unknown` (not this kiosk's, or none), `ticket_print_finished` (any other move).
    ValueError for a state or reason outside the lists (the socket checks them first).
    """
    if state not in State.values or reason not in TicketPrint.Reason.values or (state == State.FAILED) != bool(reason):
        raise ValueError(f"ticket print report {state!r} {reason!r}")
    now = now or timezone.now()
    with transaction.atomic():
        ticket = TicketPrint.objects.select_for_update().filter(pk=ticket_id, kiosk=kiosk).first()
        if ticket is None:
            raise SchedulingRefused("ticket_print_unknown")
        if ticket.state == state and ticket.reason == reason:
            return ticket
        if state not in TICKET_PRINT_MOVES.get(ticket.state, ()):
            raise SchedulingRefused("ticket_print_finished")
        ticket.state = state
        ticket.reason = reason
        ticket.updated_at = now
        ticket.save(update_fields=["state", "reason", "updated_at"])
    return ticket

"""The bridge socket's side of appointment tickets, through the real ASGI application: `bridge.ticket` reaches the
kiosk's bridge as `ticket.print`, its `ticket.state` reports move the print, and a report on another kiosk's
ticket closes the socket as forbidden."""

import pytest
from channels.db import database_sync_to_async

from tests.bridge.appointments import book_at_the_desk
from tests.calls.conftest import MONDAY_10AM
from tests.documents.conftest import device_token
from tests.documents.test_bridge_socket import HEALTH, closed_with, connected, eventually, receive_type
from visiorelais.documents.models import PeripheralReport
from visiorelais.scheduling.models import TicketPrint
from visiorelais.scheduling.services import ticket_print

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def channel_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture
def ticket_to_print(world, time_machine):
    """Sends the ticket of an appointment at BRN-COUT-01 to that kiosk (once its bridge has reported)."""
    time_machine.move_to(MONDAY_10AM, tick=False)
    appointment = book_at_the_desk(world)

    def send() -> TicketPrint:
        return ticket_print(user=world.hugo, appointment_id=appointment.pk, kiosk_id=world.kiosk_coutances.pk)

    return send


async def test_a_ticket_reaches_the_kiosks_bridge_and_its_reports_move_it(world, ticket_to_print):
    token = await database_sync_to_async(device_token)(world, world.kiosk_coutances)
    bridge, _hello = await connected(token)
    await bridge.send_json_to(HEALTH)
    await eventually(PeripheralReport.objects.filter(kiosk=world.kiosk_coutances).exists)

    ticket = await database_sync_to_async(ticket_to_print)()
    command = await receive_type(bridge, "ticket.print")
    await bridge.send_json_to({"type": "ticket.state", "ticket_id": ticket.pk, "state": "printing", "reason": ""})
    await bridge.send_json_to({"type": "ticket.state", "ticket_id": ticket.pk, "state": "done", "reason": ""})
    done = await eventually(TicketPrint.objects.filter(pk=ticket.pk, state="done").first)
    await bridge.send_json_to({"type": "ticket.state", "ticket_id": ticket.pk, "state": "printing", "reason": ""})
    crossed = await receive_type(bridge, "error")
    await bridge.disconnect()

    assert command == {"type": "ticket.print", "ticket_id": ticket.pk}
    assert done.reason == ""
    assert crossed["code"] == "ticket_print_finished"


async def test_reporting_on_another_kiosks_ticket_closes_with_4003(world, ticket_to_print):
    own = await database_sync_to_async(device_token)(world, world.kiosk_coutances)
    other = await database_sync_to_async(device_token)(world, world.kiosk_saint_lo)
    bridge, _hello = await connected(own)
    await bridge.send_json_to(HEALTH)
    await eventually(PeripheralReport.objects.filter(kiosk=world.kiosk_coutances).exists)
    ticket = await database_sync_to_async(ticket_to_print)()
    intruder, _hello = await connected(other)

    await intruder.send_json_to({"type": "ticket.state", "ticket_id": ticket.pk, "state": "done", "reason": ""})

    assert await closed_with(intruder) == 4003
    assert await database_sync_to_async(lambda: TicketPrint.objects.get(pk=ticket.pk).state)() == "queued"
    await bridge.disconnect()

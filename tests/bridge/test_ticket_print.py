"""An appointment's ticket printed at the kiosk, end to end: a live server (tests/bridge/live.py), the bridge daemon
and the private CUPS printer (tests/bridge/conftest.py), outside any call.

The host agent books France Travail's slot at the Coutances kiosk and sends the ticket to that kiosk's printer:
the bridge hears `ticket.print`, fetches the ticket with its device token, prints it once, reports its state,
and keeps nothing of it.
"""

import asyncio

import pytest
from channels.db import database_sync_to_async
from pypdf import PdfReader

from tests.bridge.appointments import book_at_the_desk
from tests.bridge.live import LiveServer, eventually
from tests.bridge.peripherals import page_count
from tests.calls.conftest import MONDAY_10AM
from tests.documents.conftest import TEST_KEY
from visiorelais.accounts.services import kiosk_enrolment_issue
from visiorelais.bridge.daemon import Bridge
from visiorelais.bridge.printers import CupsPrinter
from visiorelais.bridge.scanners import SaneCommandScanner
from visiorelais.bridge.server import ServerClient, token_read, token_write
from visiorelais.documents.events import group_for_bridge, publish_on_commit
from visiorelais.documents.models import PeripheralReport
from visiorelais.scheduling.models import TicketPrint
from visiorelais.scheduling.selectors import ticket_print_status
from visiorelais.scheduling.services import ticket_print

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def server_settings(settings, tmp_path):
    settings.DOCUMENTS_DIR = tmp_path / "documents"
    settings.DOCUMENT_KEYS = TEST_KEY
    settings.DATA_DIR = tmp_path / "data"
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture
def appointment(world, time_machine):
    """The clock ticks (the server and the bridge run on it)."""
    time_machine.move_to(MONDAY_10AM, tick=True)
    return book_at_the_desk(world)


@pytest.fixture
async def bridge(world, appointment, sane_test, cups_server, workdir, tmp_path):
    """A live server and the bridge daemon, enrolled, connected, and heard from (its health is in)."""
    server = LiveServer()
    await server.start()
    client = ServerClient(server.url)
    code = (await database_sync_to_async(kiosk_enrolment_issue)(kiosk=world.kiosk_coutances, issued_by=world.olivia))[1]
    token_write(tmp_path / "token", (await asyncio.to_thread(client.enrol_sync, code))["token"])
    running = Bridge(
        server=client,
        token=lambda: token_read(tmp_path / "token"),
        scanner=SaneCommandScanner(device="test", page_limit=1),
        printer=CupsPrinter(queue=cups_server.queue),
        workdir=workdir,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(running.run(stop))
    try:
        await asyncio.wait_for(running.connected.wait(), 10)
        await eventually(PeripheralReport.objects.filter(kiosk=world.kiosk_coutances).exists, message="health")
        yield running
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)
        await server.stop()


def printed_text(path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def ticket_states_sent(bridge: Bridge, ticket_id: int) -> asyncio.Queue:
    """The `ticket.state` frames the bridge sends from now on about `ticket_id`, as they go."""
    sent: asyncio.Queue = asyncio.Queue()
    send = bridge.send

    async def recording(frame: dict) -> None:
        await send(frame)
        if frame.get("type") == "ticket.state" and frame.get("ticket_id") == ticket_id:
            sent.put_nowait(frame)

    bridge.send = recording
    return sent


async def test_the_ticket_sent_from_the_desk_comes_out_once_with_the_code_and_nothing_is_kept(
    world, appointment, bridge, cups_server, workdir
):
    ticket = await database_sync_to_async(ticket_print)(
        user=world.hugo, appointment_id=appointment.pk, kiosk_id=world.kiosk_coutances.pk
    )

    done = await eventually(
        TicketPrint.objects.select_related("kiosk").filter(pk=ticket.pk, state="done").first, message="printed"
    )
    [printed] = cups_server.wait_printed(1)
    # The same command again (a replayed event): the bridge answers the ticket's state and prints nothing.
    answers = ticket_states_sent(bridge, ticket.pk)
    await database_sync_to_async(publish_on_commit)(
        group_for_bridge(world.kiosk_coutances.pk), "bridge.ticket", {"ticket_id": ticket.pk}
    )
    assert (await asyncio.wait_for(answers.get(), 10))["state"] == "done"
    assert not bridge.ticket_tasks

    assert page_count(printed) == 1
    text = printed_text(printed)
    assert f"{appointment.code[:3]} {appointment.code[3:]}" in text
    assert "France Travail" in text
    assert "Lehoux" not in text and "06 12 34 56 78" not in text
    assert cups_server.settle(2.0) == [printed]
    assert workdir.files() == []
    status = await database_sync_to_async(ticket_print_status)(ticket=done, now=done.updated_at)
    assert status["message"] == "Ticket imprimé sur la borne BRN-COUT-01 : remettez-le à la personne."


async def test_a_printer_out_of_paper_fails_the_ticket_with_its_reason(
    world, appointment, bridge, cups_server, workdir
):
    cups_server.out_of_paper()

    ticket = await database_sync_to_async(ticket_print)(
        user=world.hugo, appointment_id=appointment.pk, kiosk_id=world.kiosk_coutances.pk
    )

    failed = await eventually(
        TicketPrint.objects.select_related("kiosk").filter(pk=ticket.pk, state="failed").first, message="failure"
    )
    assert failed.reason == "out_of_paper"
    assert cups_server.settle(1.0) == []
    assert workdir.files() == []
    status = await database_sync_to_async(ticket_print_status)(ticket=failed, now=failed.updated_at)
    assert status["message"] == (
        "Le ticket n'a pas été imprimé : l'imprimante de la borne BRN-COUT-01 n'a plus de papier."
    )

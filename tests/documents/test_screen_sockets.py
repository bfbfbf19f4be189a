"""Documents on the screens' sockets through the real ASGI application: the kiosk's `receipt.print`, the
peripherals in the kiosk's snapshot and the console's call, and the call's documents back in a console snapshot."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from tests.documents.conftest import store
from tests.documents.hostile import pdf_bytes
from visiorelais.accounts.auth import KIOSK_COOKIE
from visiorelais.accounts.services import kiosk_enrol, kiosk_enrolment_issue
from visiorelais.asgi import application
from visiorelais.calls.services import call_end
from visiorelais.documents.models import Document, PrintJob
from visiorelais.documents.services import peripherals_report

pytestmark = pytest.mark.django_db(transaction=True)
HEADERS = [(b"host", b"127.0.0.1"), (b"origin", b"http://127.0.0.1")]
SCANNER = {"present": True, "ready": True, "detail": "test:0", "adf": True}
PRINTER = {"present": True, "ready": True, "state": "idle", "reasons": []}


def kiosk_socket(world) -> WebsocketCommunicator:
    _, code = kiosk_enrolment_issue(kiosk=world.kiosk_coutances, issued_by=world.olivia)
    raw = kiosk_enrol(code=code)[1]
    return WebsocketCommunicator(
        application, "/ws/kiosk/", headers=[*HEADERS, (b"cookie", f"{KIOSK_COOKIE}={raw}".encode())]
    )


def console_socket(user) -> WebsocketCommunicator:
    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    return WebsocketCommunicator(application, "/ws/console/", headers=[*HEADERS, (b"cookie", cookie)])


async def receive_type(communicator, kind: str, limit: int = 10) -> dict:
    for _ in range(limit):
        frame = await communicator.receive_json_from(timeout=5)
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame")


async def test_the_kiosk_asks_for_the_receipt_after_the_call_and_hears_of_its_print(world, call):
    await database_sync_to_async(call_end)(call_id=call.pk, kiosk=world.kiosk_coutances)
    kiosk = await database_sync_to_async(kiosk_socket)(world)
    assert (await kiosk.connect())[0]
    await receive_type(kiosk, "snapshot")

    await kiosk.send_json_to({"type": "receipt.print", "call_id": call.pk})

    frame = await receive_type(kiosk, "document")
    assert frame["document"]["direction"] == "print"
    assert frame["document"]["print_job"]["state"] == "queued"
    assert await PrintJob.objects.filter(document__is_receipt=True, document__call=call).aexists()
    await kiosk.disconnect()


async def test_a_receipt_asked_during_the_call_is_refused_in_french_and_the_socket_stays(world, call):
    kiosk = await database_sync_to_async(kiosk_socket)(world)
    assert (await kiosk.connect())[0]
    await receive_type(kiosk, "snapshot")

    await kiosk.send_json_to({"type": "receipt.print", "call_id": call.pk})

    error = await receive_type(kiosk, "error")
    assert error["code"] == "call_not_ended"
    assert "terminé" in error["message"]
    await kiosk.send_json_to({"type": "resync"})
    assert (await receive_type(kiosk, "snapshot"))["type"] == "snapshot"
    assert not await Document.objects.filter(is_receipt=True).aexists()
    await kiosk.disconnect()


async def test_the_kiosks_snapshot_says_what_its_bridge_reports(world, call):
    kiosk = await database_sync_to_async(kiosk_socket)(world)
    assert (await kiosk.connect())[0]
    before = (await receive_type(kiosk, "snapshot"))["peripherals"]
    assert before["has_scanner"] and before["has_printer"]
    assert before["scanner"] is None and before["online"] is False

    await database_sync_to_async(peripherals_report)(kiosk=world.kiosk_coutances, scanner=SCANNER, printer=PRINTER)
    frame = await receive_type(kiosk, "peripherals")
    assert frame["scanner"]["ready"] is True
    await kiosk.send_json_to({"type": "resync"})
    after = (await receive_type(kiosk, "snapshot"))["peripherals"]
    assert after["scanner"] == SCANNER and after["online"] is True
    await kiosk.disconnect()


async def test_a_reloaded_console_gets_the_calls_documents_and_the_kiosks_peripherals_back(world, call):
    await database_sync_to_async(peripherals_report)(kiosk=world.kiosk_coutances, scanner=SCANNER, printer=PRINTER)
    scan = await database_sync_to_async(store)(call, pdf_bytes(), name="avis.pdf")
    sent = await database_sync_to_async(store)(call, pdf_bytes(), direction="print", name="attestation.pdf")
    console = await database_sync_to_async(console_socket)(world.alice)
    assert (await console.connect())[0]

    snapshot = await receive_type(console, "snapshot")

    documents = snapshot["call"]["documents"]
    assert [(d["id"], d["direction"]) for d in documents] == [(scan.pk, "scan"), (sent.pk, "print")]
    assert documents[1]["print_job"]["state"] == "queued"
    assert snapshot["call"]["peripherals_health"]["scanner"] == SCANNER
    assert snapshot["call"]["peripherals_health"]["printer"] == PRINTER
    await console.disconnect()

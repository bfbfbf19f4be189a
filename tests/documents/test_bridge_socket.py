"""The bridge socket `/ws/bridge/` through the real ASGI application (origin check, routing, BridgeConsumer)."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from tests.documents.conftest import device_token, store
from tests.documents.hostile import pdf_bytes
from visiorelais.accounts.models import KioskToken
from visiorelais.accounts.services import kiosk_token_revoke
from visiorelais.asgi import application
from visiorelais.calls.services import call_end
from visiorelais.documents.models import BridgeWipe, PeripheralReport, PrintJob, ScanRequest
from visiorelais.documents.services import scan_request

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://127.0.0.1")
HEALTH = {
    "type": "health",
    "scanner": {"present": True, "ready": True, "detail": "test:0", "adf": True},
    "printer": {"present": True, "ready": True, "state": "idle", "reasons": [], "detail": ""},
}


def bridge_socket(token: str | None, *, origin=ORIGIN, scheme="Bearer") -> WebsocketCommunicator:
    headers = [(b"host", b"127.0.0.1")]
    if origin:
        headers.append(origin)
    if token:
        headers.append((b"authorization", f"{scheme} {token}".encode()))
    return WebsocketCommunicator(application, "/ws/bridge/", headers=headers)


async def connected(token: str) -> tuple[WebsocketCommunicator, dict]:
    communicator = bridge_socket(token)
    accepted, _ = await communicator.connect()
    assert accepted
    hello = await communicator.receive_json_from(timeout=5)
    return communicator, hello


async def receive_type(communicator, kind: str, limit: int = 10) -> dict:
    for _ in range(limit):
        frame = await communicator.receive_json_from(timeout=5)
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame")


async def eventually(read, timeout: float = 5.0):
    """Polls `read` (an ORM read, run in a thread) until it returns a truthy value; the consumer works on its own."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await database_sync_to_async(read)()
        if value:
            return value
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {read.__name__}"
        await asyncio.sleep(0.02)


async def closed_with(communicator) -> int:
    output = await communicator.receive_output(timeout=5)
    while output["type"] != "websocket.close":
        output = await communicator.receive_output(timeout=5)
    return output["code"]


@pytest.fixture
def token(world):
    return device_token(world, world.kiosk_coutances)


@pytest.mark.parametrize("raw", [None, "not-a-token"])
async def test_it_refuses_a_bridge_without_a_valid_token(world, raw):
    communicator = bridge_socket(raw)
    await communicator.connect()

    assert await closed_with(communicator) == 4001


async def test_it_refuses_the_kiosk_cookie_scheme_and_other_schemes(token):
    communicator = bridge_socket(token, scheme="Token")
    await communicator.connect()

    assert await closed_with(communicator) == 4001


async def test_it_refuses_a_handshake_without_an_allowed_origin(token):
    communicator = bridge_socket(token, origin=(b"origin", b"http://evil.example"))

    accepted, _ = await communicator.connect()

    assert not accepted


async def test_hello_names_the_kiosk_and_its_live_call(world, token, call):
    communicator, hello = await connected(token)

    assert hello == {
        "type": "hello",
        "kiosk": {"code": "BRN-COUT-01", "label": "Borne de Coutances"},
        "call_id": call.pk,
    }
    await communicator.disconnect()


async def test_hello_says_when_there_is_no_live_call(world, token):
    communicator, hello = await connected(token)

    assert hello["call_id"] is None
    await communicator.disconnect()


async def test_a_scan_request_reaches_the_bridge_as_scan_start(world, token, call):
    communicator, _ = await connected(token)

    request = await database_sync_to_async(scan_request)(call_id=call.pk, agent=world.alice)

    frame = await receive_type(communicator, "scan.start")
    assert frame == {
        "type": "scan.start",
        "call_id": call.pk,
        "request_id": request.request_id,
        "options": {"resolution": 300, "mode": "Gray", "source": "Flatbed"},
    }
    await communicator.disconnect()


async def test_the_scan_options_follow_the_feeder_the_bridge_reported(world, token, call):
    communicator, _ = await connected(token)
    await communicator.send_json_to(HEALTH)
    await eventually(PeripheralReport.objects.filter(kiosk=world.kiosk_coutances).exists)

    await database_sync_to_async(scan_request)(call_id=call.pk, kiosk=world.kiosk_coutances)

    frame = await receive_type(communicator, "scan.start")
    assert frame["options"]["source"] == "ADF"
    await communicator.disconnect()


async def test_a_document_to_print_reaches_the_bridge_as_print_start(world, token, call):
    communicator, _ = await connected(token)

    document = await database_sync_to_async(store)(call, pdf_bytes(pages=2), direction="print")

    frame = await receive_type(communicator, "print.start")
    assert frame == {
        "type": "print.start",
        "call_id": call.pk,
        "document_id": document.pk,
        "job_id": document.print_job.pk,
    }
    await communicator.disconnect()


async def test_the_end_of_the_kiosk_call_reaches_the_bridge_once(world, token, call):
    communicator, _ = await connected(token)

    await database_sync_to_async(call_end)(call_id=call.pk, kiosk=world.kiosk_coutances)

    assert await receive_type(communicator, "call.ended") == {"type": "call.ended", "call_id": call.pk}
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_the_bridge_of_another_kiosk_hears_nothing_of_this_call(world, call):
    communicator, hello = await connected(await database_sync_to_async(device_token)(world, world.kiosk_saint_lo))

    await database_sync_to_async(scan_request)(call_id=call.pk, agent=world.alice)

    assert hello["call_id"] is None
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_health_is_recorded_for_the_kiosk(world, token):
    communicator, _ = await connected(token)

    await communicator.send_json_to(HEALTH)

    report = await eventually(PeripheralReport.objects.filter(kiosk=world.kiosk_coutances).first)
    assert report.scanner["adf"] is True
    assert report.printer == {"present": True, "ready": True, "state": "idle", "reasons": []}
    await communicator.disconnect()


async def test_scan_reports_move_the_scan_request(world, token, call):
    communicator, _ = await connected(token)
    request = await database_sync_to_async(scan_request)(call_id=call.pk, agent=world.alice)
    base = {"request_id": request.request_id, "call_id": call.pk}

    scans = ScanRequest.objects.filter(pk=request.pk)

    await communicator.send_json_to({"type": "scan.progress", **base, "pages": 2})
    scanning = await eventually(scans.filter(state="scanning", pages=2).first)
    await communicator.send_json_to({"type": "scan.progress", **base, "pages": 2, "state": "uploading"})
    uploading = await eventually(scans.filter(state="uploading").first)
    await communicator.send_json_to({"type": "scan.failed", **base, "reason": "jammed"})
    failed = await eventually(scans.filter(state="failed").first)

    assert scanning.pages == uploading.pages == 2
    assert failed.reason == "jammed"
    await communicator.disconnect()


async def test_print_reports_move_the_print_job(world, token, call):
    communicator, _ = await connected(token)
    document = await database_sync_to_async(store)(call, pdf_bytes(), direction="print")
    job_id = document.print_job.pk

    for state in ("queued", "printing", "done"):
        await communicator.send_json_to({"type": "print.state", "job_id": job_id, "state": state, "reason": ""})

    job = await eventually(PrintJob.objects.filter(pk=job_id, state="done").first)
    assert job.submitted_at is not None
    await communicator.disconnect()


async def test_a_report_that_crossed_another_is_answered_not_fatal(world, token, call):
    communicator, _ = await connected(token)
    document = await database_sync_to_async(store)(call, pdf_bytes(), direction="print")
    job_id = document.print_job.pk
    await communicator.send_json_to({"type": "print.state", "job_id": job_id, "state": "done", "reason": ""})

    await communicator.send_json_to({"type": "print.state", "job_id": job_id, "state": "printing", "reason": ""})

    error = await receive_type(communicator, "error")
    assert error["code"] == "illegal_transition"
    await communicator.send_json_to({"type": "heartbeat"})
    assert await communicator.receive_nothing(timeout=0.2)
    await communicator.disconnect()


async def test_a_wipe_is_recorded(world, token, call):
    communicator, _ = await connected(token)

    await communicator.send_json_to({"type": "wiped", "call_id": call.pk, "files": 3})

    wipe = await eventually(BridgeWipe.objects.filter(call=call).first)
    assert wipe.files == 3
    await communicator.disconnect()


async def test_reporting_on_a_print_job_of_another_kiosk_closes_with_4003(world, call):
    document = await database_sync_to_async(store)(call, pdf_bytes(), direction="print")
    communicator, _ = await connected(await database_sync_to_async(device_token)(world, world.kiosk_saint_lo))

    await communicator.send_json_to(
        {"type": "print.state", "job_id": document.print_job.pk, "state": "printing", "reason": ""}
    )

    assert await closed_with(communicator) == 4003


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "scan.progress", "request_id": "abc", "call_id": 1, "pages": -1},
        {"type": "scan.progress", "request_id": "abc", "call_id": 1, "pages": 1, "state": "done"},
        {"type": "scan.progress", "request_id": "../../x", "call_id": 1, "pages": 1},
        {"type": "scan.failed", "request_id": "abc", "call_id": 1, "reason": "on fire"},
        {"type": "scan.failed", "request_id": 7, "call_id": 1, "reason": "jammed"},
        {"type": "scan.done", "request_id": "abc", "call_id": "1", "document_id": 1},
        {"type": "print.state", "job_id": 1, "state": "lost", "reason": ""},
        {"type": "print.state", "job_id": 1, "state": "failed", "reason": ""},
        {"type": "print.state", "job_id": 1, "state": "done", "reason": "jammed"},
        {"type": "print.state", "job_id": True, "state": "done", "reason": ""},
        {"type": "wiped", "call_id": 1, "files": "3"},
        {"type": "health", "scanner": [], "printer": {}},
        {"type": "health", "scanner": {"present": "yes", "ready": True}, "printer": HEALTH["printer"]},
        {"type": "scan.start", "call_id": 1},
        {"kind": "health"},
    ],
)
async def test_a_malformed_frame_closes_with_4400(world, token, frame):
    communicator, _ = await connected(token)

    await communicator.send_json_to(frame)

    assert await closed_with(communicator) == 4400


async def test_a_binary_frame_closes_with_4400(world, token):
    communicator, _ = await connected(token)

    await communicator.send_to(bytes_data=b"\x00\x01")

    assert await closed_with(communicator) == 4400


async def test_a_revoked_token_is_closed_at_its_next_heartbeat(world, token):
    communicator, _ = await connected(token)
    record = await database_sync_to_async(KioskToken.objects.get)(kiosk=world.kiosk_coutances)
    await database_sync_to_async(kiosk_token_revoke)(token=record, revoked_by=world.olivia)

    await communicator.send_json_to({"type": "heartbeat"})

    assert await closed_with(communicator) == 4001

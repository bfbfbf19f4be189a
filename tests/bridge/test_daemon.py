"""The bridge end to end: a live server (tests/bridge/live.py), the real SANE test scanner and a private CUPS.

The kiosk enrols its bridge over HTTP, the bridge connects to `/ws/bridge/`, and the documents services drive
it as in a call: `scan_request` → the pages are scanned, uploaded as one PDF and attached to the request; a
document sent to print → it comes out of the printer once; the end of the call → the bridge's folder is wiped.
"""

import asyncio
import io
import os
import signal
import stat
import sys

import pikepdf
import pytest
from channels.db import database_sync_to_async

from bench._servers import REPO_ROOT, clean_environment
from tests.bridge.live import LiveServer, eventually
from tests.bridge.peripherals import page_count, write_pdf
from tests.calls.conftest import MONDAY_10AM
from tests.documents.conftest import TEST_KEY
from visiorelais.accounts.models import KioskToken
from visiorelais.accounts.services import kiosk_enrolment_issue, kiosk_token_revoke
from visiorelais.bridge import daemon
from visiorelais.bridge.daemon import Bridge
from visiorelais.bridge.printers import CupsPrinter
from visiorelais.bridge.scanners import SaneCommandScanner
from visiorelais.bridge.server import ServerClient, ServerError, token_read, token_write
from visiorelais.calls.services import call_accept, call_end, call_request, station_take
from visiorelais.documents.events import group_for_bridge, publish_on_commit
from visiorelais.documents.models import BridgeWipe, Document, PeripheralReport, PrintJob, ScanRequest
from visiorelais.documents.selectors import document_plaintext
from visiorelais.documents.services import document_store, receipt_print, scan_request

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def documents_settings(settings, tmp_path):
    settings.DOCUMENTS_DIR = tmp_path / "documents"
    settings.DOCUMENT_KEYS = TEST_KEY
    settings.DATA_DIR = tmp_path / "data"
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture
def call(world, time_machine):
    """A CAF call from the Coutances kiosk, answered by Alice: connected. The clock ticks (servers run on it)."""
    time_machine.move_to(MONDAY_10AM, tick=True)
    station_take(agent=world.alice, station_id=world.caf_station_1.pk)
    call = call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk)
    return call_accept(agent=world.alice, call_id=call.pk)


@pytest.fixture
async def asgi_live():
    server = LiveServer()
    await server.start()
    yield server
    await server.stop()


def enrolment_code_for(world) -> str:
    return kiosk_enrolment_issue(kiosk=world.kiosk_coutances, issued_by=world.olivia)[1]


@pytest.fixture
def enrolment_code(world) -> str:
    return enrolment_code_for(world)


@pytest.fixture
def scanner_args() -> list[str]:
    return []


@pytest.fixture
async def bridge(asgi_live, enrolment_code, sane_test, cups_server, workdir, scanner_args, tmp_path):
    """The daemon, enrolled and connected, as a task of the test's loop (stopped and wiped at the end)."""
    client = ServerClient(asgi_live.url)
    answer = await asyncio.to_thread(client.enrol_sync, enrolment_code)
    token_file = tmp_path / "token"
    token_write(token_file, answer["token"])
    running = Bridge(
        server=client,
        token=lambda: token_read(token_file),
        scanner=SaneCommandScanner(device="test", page_limit=3, extra_args=scanner_args),
        printer=CupsPrinter(queue=cups_server.queue),
        workdir=workdir,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(running.run(stop))
    await asyncio.wait_for(running.connected.wait(), 10)
    yield running
    stop.set()
    await asyncio.wait_for(task, 20)


async def feeder_reported(kiosk) -> None:
    """The bridge's first health report is in: the server now asks for every page of the feeder."""
    await eventually(
        PeripheralReport.objects.filter(kiosk=kiosk, scanner__adf=True).exists, message="health with a feeder"
    )


def send_to_print(call, pages: int, tmp_path) -> Document:
    with write_pdf(tmp_path / f"courrier-{pages}.pdf", pages).open("rb") as stream:
        return document_store(
            call_id=call.pk, direction="print", stream=stream, name="Attestation.pdf", agent=call.agent
        )


def scan_pages(document: Document) -> int:
    with pikepdf.open(io.BytesIO(document_plaintext(document))) as pdf:
        return len(pdf.pages)


async def test_a_requested_scan_is_uploaded_as_one_pdf_of_every_page(world, call, bridge):
    await feeder_reported(world.kiosk_coutances)

    request = await database_sync_to_async(scan_request)(call_id=call.pk, agent=world.alice)

    done = await eventually(
        ScanRequest.objects.select_related("document").filter(pk=request.pk, state="done").first, message="scan"
    )
    assert done.pages == 3
    assert done.document.direction == "scan"
    assert done.document.pages == 3
    assert await database_sync_to_async(scan_pages)(done.document) == 3


@pytest.mark.parametrize(
    ("scanner_args", "reason"),
    [
        (["--read-return-value", "SANE_STATUS_JAMMED"], "jammed"),
        (["--read-return-value", "SANE_STATUS_NO_DOCS"], "no_docs"),
        (["--read-return-value", "SANE_STATUS_COVER_OPEN"], "cover_open"),
    ],
)
async def test_a_scanner_fault_fails_the_scan_with_its_reason(world, call, bridge, reason):
    request = await database_sync_to_async(scan_request)(call_id=call.pk, kiosk=world.kiosk_coutances)

    failed = await eventually(ScanRequest.objects.filter(pk=request.pk, state="failed").first, message="failure")

    assert failed.reason == reason
    assert not await database_sync_to_async(Document.objects.filter(call=call).exists)()


async def test_a_document_sent_to_print_comes_out_once_with_its_pages(world, call, bridge, cups_server, tmp_path):
    document = await database_sync_to_async(send_to_print)(call, 2, tmp_path)

    job = await eventually(PrintJob.objects.filter(document=document, state="done").first, message="printed")
    [printed] = cups_server.wait_printed(1)
    # The same job sent again (a replayed event): the bridge answers its state and prints nothing.
    await database_sync_to_async(publish_on_commit)(
        group_for_bridge(world.kiosk_coutances.pk),
        "bridge.print",
        {"call_id": call.pk, "document_id": document.pk, "job_id": job.pk},
    )
    await database_sync_to_async(call_end)(call_id=call.pk, kiosk=world.kiosk_coutances)
    await eventually(BridgeWipe.objects.filter(call=call).exists, message="wipe")  # the replay was handled before

    assert page_count(printed) == 2
    assert cups_server.settle(2.0) == [printed]


async def test_out_of_paper_fails_the_print_job_with_its_reason(world, call, bridge, cups_server, tmp_path):
    cups_server.out_of_paper()

    document = await database_sync_to_async(send_to_print)(call, 1, tmp_path)

    job = await eventually(PrintJob.objects.filter(document=document, state="failed").first, message="failure")
    assert job.reason == "out_of_paper"
    assert cups_server.settle(1.0) == []


async def test_the_end_of_the_call_wipes_the_working_folder_and_reports_it(
    world, call, bridge, workdir, cups_server, tmp_path
):
    await feeder_reported(world.kiosk_coutances)
    request = await database_sync_to_async(scan_request)(call_id=call.pk, agent=world.alice)
    await eventually(ScanRequest.objects.filter(pk=request.pk, state="done").exists, message="scan")
    document = await database_sync_to_async(send_to_print)(call, 1, tmp_path)
    await eventually(PrintJob.objects.filter(document=document, state="done").exists, message="print")
    kept = workdir.files()

    await database_sync_to_async(call_end)(call_id=call.pk, kiosk=world.kiosk_coutances)

    wipe = await eventually(BridgeWipe.objects.filter(call=call).first, message="wipe")
    assert [path.name for path in kept] == [f"print-{document.print_job.pk}", f"scan-{request.request_id}.pdf"]
    assert wipe.files == 2
    assert workdir.files() == []
    assert list(workdir.root.iterdir()) == []


async def test_a_bridge_back_after_a_cut_wipes_the_calls_that_ended_meanwhile(world, call, bridge, workdir):
    # Files of an old call that ended while the bridge was away (its call.ended never came).
    (workdir.for_call(call.pk) / "scan-old.pdf").write_bytes(b"%PDF-1.4")
    await database_sync_to_async(call_end)(call_id=call.pk, kiosk=world.kiosk_coutances)
    await eventually(BridgeWipe.objects.filter(call=call).exists, message="wipe")
    (workdir.for_call(call.pk + 1000) / "print-9").write_bytes(b"x")

    await bridge.socket.close()  # the connection drops; the bridge comes back and is told there is no live call
    await eventually(lambda: workdir.files() == [], message="leftovers wiped")

    assert list(workdir.root.iterdir()) == []


async def test_the_bridge_comes_back_after_a_server_restart_and_serves_the_call(world, call, bridge, asgi_live):
    await asgi_live.stop()
    await eventually(lambda: not bridge.connected.is_set(), message="the bridge sees the server gone")

    await asgi_live.start()
    await asyncio.wait_for(bridge.connected.wait(), 10)
    request = await database_sync_to_async(scan_request)(call_id=call.pk, agent=world.alice)

    await eventually(ScanRequest.objects.filter(pk=request.pk, state="done").exists, message="scan")


async def test_a_revoked_bridge_is_refused_until_enrolled_again(world, call, bridge, monkeypatch, tmp_path):
    monkeypatch.setattr(daemon, "REFUSED_WAIT", 0.2)
    token = await database_sync_to_async(KioskToken.objects.get)(kiosk=world.kiosk_coutances, revoked_at=None)

    await database_sync_to_async(kiosk_token_revoke)(token=token, revoked_by=world.olivia)
    await eventually(lambda: not bridge.connected.is_set(), message="the bridge closed out")
    code = await database_sync_to_async(enrolment_code_for)(world)
    answer = await asyncio.to_thread(bridge.server.enrol_sync, code)
    token_write(tmp_path / "token", answer["token"])

    await asyncio.wait_for(bridge.connected.wait(), 10)
    assert bridge.server.token == answer["token"]


async def test_an_unknown_enrolment_code_is_refused_with_the_servers_reason(asgi_live):
    client = ServerClient(asgi_live.url)

    with pytest.raises(ServerError) as refused:
        await asyncio.to_thread(client.enrol_sync, "AAAAA-22222")

    assert refused.value.status == 400
    assert refused.value.message  # the French sentence the server gave


async def test_the_bridge_command_enrols_then_serves_the_call(
    world, call, asgi_live, enrolment_code, sane_test, cups_server, tmp_path
):
    # The daemon as a kiosk PC runs it: `visiorelais bridge`, a process of its own (SANE and CUPS from the env).
    token_file, work = tmp_path / "kiosk" / "token", tmp_path / "kiosk" / "work"
    env = clean_environment(VISIORELAIS_DATA_DIR=str(tmp_path / "bridge-data"))
    base = [sys.executable, "-m", "visiorelais", "bridge", "--server", asgi_live.url, "--token-file", str(token_file)]
    enrol = await asyncio.create_subprocess_exec(
        *base, "--enrol", enrolment_code, cwd=REPO_ROOT, env=env, stdout=asyncio.subprocess.PIPE
    )
    output, _ = await asyncio.wait_for(enrol.communicate(), 60)
    assert enrol.returncode == 0
    assert "BRN-COUT-01" in output.decode()
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
    log = (tmp_path / "bridge.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        *base, "--scanner", "test", "--max-pages", "2", "--printer", cups_server.queue, "--workdir", str(work),
        cwd=REPO_ROOT, env=env, stdout=log, stderr=log,
    )  # fmt: skip
    try:
        await feeder_reported(world.kiosk_coutances)
        request = await database_sync_to_async(scan_request)(call_id=call.pk, agent=world.alice)
        done = await eventually(
            ScanRequest.objects.select_related("document").filter(pk=request.pk, state="done").first, message="scan"
        )
        document = await database_sync_to_async(send_to_print)(call, 3, tmp_path)
        await eventually(PrintJob.objects.filter(document=document, state="done").exists, message="print")
        await database_sync_to_async(call_end)(call_id=call.pk, kiosk=world.kiosk_coutances)
        wipe = await eventually(BridgeWipe.objects.filter(call=call).first, message="wipe")
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        returncode = await asyncio.wait_for(process.wait(), 20)
        log.close()
        print((tmp_path / "bridge.log").read_text())

    assert done.document.pages == 2
    assert [page_count(path) for path in cups_server.wait_printed(1)] == [3]
    assert wipe.files == 2
    assert returncode == 0
    assert list(work.iterdir()) == []


async def test_the_receipt_asked_after_the_call_prints_once_and_the_folder_is_wiped_again(
    world, call, bridge, workdir, cups_server
):
    await database_sync_to_async(call_end)(call_id=call.pk, kiosk=world.kiosk_coutances)
    await eventually(BridgeWipe.objects.filter(call=call).exists, message="the end-of-call wipe")

    receipt = await database_sync_to_async(receipt_print)(kiosk=world.kiosk_coutances, call_id=call.pk)

    await eventually(PrintJob.objects.filter(document=receipt, state="done").exists, message="the receipt printed")
    await eventually(lambda: BridgeWipe.objects.filter(call=call).count() == 2, message="the second wipe")
    [printed] = cups_server.wait_printed(1)
    assert page_count(printed) == receipt.pages == 1
    assert workdir.files() == []

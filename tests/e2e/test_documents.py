"""Documents across a live call, in two Chromium pages, with a real kiosk bridge.

The bridge is `visiorelais bridge` as a process of its own in the suite's namespace, enrolled for the Coutances
kiosk, scanning with SANE's `test` backend (a private SANE_CONFIG_DIR, two pages a scan) and printing to a private
cupsd whose queue writes each job to a PDF file (tests/bridge/peripherals.py). What comes out of the printer is
counted in pages; what was recorded is read from the database.
"""

from collections.abc import Iterator

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.bridge.peripherals import PrivateCups, SaneTestConfig, missing_tools, page_count, write_pdf
from tests.e2e.conftest import add_diagnostic
from tests.e2e.harness import assert_no_serious_a11y_violations, wait_until
from tests.e2e.harness.bridge import BridgeProcess
from tests.e2e.harness.screens import ConsoleScreen, KioskScreen
from tests.e2e.test_call import connect_call, expect_wiped, open_console, open_kiosk
from visiorelais.accounts.services import kiosk_enrolment_issue
from visiorelais.calls.models import Call
from visiorelais.documents.models import BridgeWipe, Document, PeripheralReport, PrintJob

MISSING = missing_tools()
needs_peripherals = pytest.mark.skipif(bool(MISSING), reason=f"needs {', '.join(MISSING)} (make system-deps)")
SCAN_PAGES = 2
TIMEOUT_MS = 30_000


@pytest.fixture(scope="session")
def cups_printer() -> Iterator[PrivateCups]:
    printer = PrivateCups()
    printer.start()
    yield printer
    printer.stop()
    printer.remove()


@pytest.fixture
def kiosk_bridge(asgi_server, world, cups_printer, tmp_path, request) -> Iterator[BridgeProcess]:
    """The Coutances kiosk's bridge, enrolled and running; its first health report is in (scanner and printer ready)."""
    cups_printer.reset()
    sane = SaneTestConfig(tmp_path / "sane")
    bridge = BridgeProcess(
        asgi_server.url, folder=tmp_path / "bridge", sane=sane, cups=cups_printer, max_pages=SCAN_PAGES
    )
    add_diagnostic(request.node, "bridge log", bridge.log)
    add_diagnostic(request.node, "cupsd error_log", cups_printer.log)
    _, code = kiosk_enrolment_issue(kiosk=world.kiosk_coutances, issued_by=world.olivia)
    started = timezone.now()
    bridge.start(code)
    wait_until(
        lambda: PeripheralReport.objects.filter(
            kiosk=world.kiosk_coutances, last_seen_at__gte=started, scanner__ready=True, printer__ready=True
        ).exists(),
        30,
        message="the bridge's first health report",
    )
    yield bridge
    bridge.stop()


def expect_no_document_left(kiosk: KioskScreen) -> None:
    for testid in ("documents-status", "documents-print", "receipt-status"):
        expect(kiosk.by_testid(testid)).to_be_empty()


def thumbnails_loaded(console: ConsoleScreen, document_id: int) -> int:
    """How many of the document's page thumbnails the console has shown (decoded images)."""
    return console.page.evaluate(
        """(id) => Array.from(document.querySelectorAll(`[data-document-id="${id}"] img`))
              .filter((image) => image.complete && image.naturalWidth > 0).length""",
        document_id,
    )


def scan_reaches_the_agent(kiosk: KioskScreen, console: ConsoleScreen, call: Call, count: int) -> Document:
    """The `count`-th scan of the call is done on both screens, and the console shows each of its pages."""
    expect(kiosk.by_testid("kiosk-documents")).to_have_attribute("data-state", "done", timeout=TIMEOUT_MS)
    received = console.by_testid("documents-received").locator(":scope > li")
    expect(received).to_have_count(count, timeout=TIMEOUT_MS)
    document = Document.objects.filter(call=call, direction="scan").order_by("-pk").first()
    assert document.pages == SCAN_PAGES
    item = console.page.locator(f'[data-document-id="{document.pk}"]')
    expect(item).to_have_attribute("data-pages", str(SCAN_PAGES))
    expect(item.get_by_role("link", name=f"Télécharger « {document.name} »")).to_have_attribute(
        "href", f"/api/documents/{document.pk}/content"
    )
    wait_until(lambda: thumbnails_loaded(console, document.pk) == SCAN_PAGES, 20, message="thumbnails")
    return document


@needs_peripherals
def test_scans_prints_and_the_receipt_cross_a_call_through_a_real_bridge(
    asgi_server, world, new_page, kiosk_bridge, cups_printer, tmp_path
):
    console = open_console(new_page, asgi_server, world.alice)
    console.take_station(world.caf_station_1)
    kiosk = open_kiosk(new_page, asgi_server, world.kiosk_coutances)

    kiosk.call("CAF")
    console.expect_ringing()
    expect(console.by_testid("ringing-peripherals-health")).to_have_text("Scanner : prêt · Imprimante : prête")
    assert_no_serious_a11y_violations(console.page)
    console.accept()
    kiosk.expect_in_call()
    call = Call.objects.get(kiosk=world.kiosk_coutances, status=Call.Status.CONNECTED)
    expect(console.by_testid("call-peripherals-health")).to_have_text("Scanner : prêt · Imprimante : prête")
    scan_button = kiosk.by_testid("documents-scan")
    expect(scan_button).to_be_visible()
    expect(kiosk.by_testid("documents-photo")).to_be_hidden()
    assert_no_serious_a11y_violations(kiosk.page)

    # The resident scans: progress, then the document at the agent with each page's thumbnail.
    scan_button.click()
    first = scan_reaches_the_agent(kiosk, console, call, 1)
    expect(kiosk.by_testid("documents-status")).to_have_text(
        f"C'est fait : votre document ({SCAN_PAGES} pages) est arrivé chez votre conseiller."
    )
    assert_no_serious_a11y_violations(kiosk.page)

    # The agent asks for a scan from the console.
    console.by_testid("documents-remote-scan").click()
    second = scan_reaches_the_agent(kiosk, console, call, 2)
    assert second.pk != first.pk

    # The agent sends three pages to print: they come out of the kiosk's printer, « imprimé » at the agent.
    console.by_testid("documents-print-file").set_input_files(write_pdf(tmp_path / "attestation.pdf", 3))
    console.by_testid("documents-print-submit").click()
    job_state = console.by_testid("documents-sent").get_by_test_id("documents-job-state")
    expect(job_state).to_have_text("imprimé", timeout=TIMEOUT_MS)
    [printed] = cups_printer.wait_printed(1)
    assert page_count(printed) == 3
    expect(kiosk.by_testid("documents-print")).to_have_text(
        "Votre document est imprimé : prenez-le dans le bac de l'imprimante."
    )
    assert PrintJob.objects.get(document__call=call, document__is_receipt=False).state == "done"
    assert_no_serious_a11y_violations(console.page)
    assert_no_serious_a11y_violations(kiosk.page)

    # After the call: the receipt, printed at the kiosk.
    kiosk.hang_up()
    receipt = kiosk.by_testid("receipt-print")
    expect(receipt).to_be_visible()
    assert_no_serious_a11y_violations(kiosk.page)
    before = set(cups_printer.printed())
    receipt.click()
    expect(kiosk.by_testid("receipt-status")).to_have_text(
        "Votre reçu est imprimé : prenez-le dans le bac de l'imprimante.", timeout=TIMEOUT_MS
    )
    [receipt_pdf] = set(cups_printer.wait_printed(2)) - before
    assert page_count(receipt_pdf) == 1
    assert Document.objects.get(call=call, is_receipt=True).print_job.state == "done"

    kiosk.rate(5)
    expect_wiped(kiosk)
    expect_no_document_left(kiosk)
    # The bridge kept nothing: the call's folder is gone, after the call and again after the receipt.
    wait_until(lambda: BridgeWipe.objects.filter(call=call).count() >= 2, 20, message="the bridge's wipes")
    wait_until(lambda: kiosk_bridge.files() == [], 20, message="an empty working folder")
    assert kiosk_bridge.stop() == 0


def test_a_kiosk_without_a_scanner_sends_a_photo_of_the_document(asgi_server, world, new_page):
    world.kiosk_coutances.has_scanner = False
    world.kiosk_coutances.has_printer = False
    world.kiosk_coutances.save()
    console = open_console(new_page, asgi_server, world.alice)
    console.take_station(world.caf_station_1)
    kiosk = open_kiosk(new_page, asgi_server, world.kiosk_coutances)
    call = connect_call(world, kiosk, console)

    expect(kiosk.by_testid("documents-scan")).to_be_hidden()
    expect(kiosk.by_testid("documents-missing")).to_have_text(
        "Cette borne ne peut ni numériser ni imprimer : votre conseiller vous dira comment lui envoyer vos documents."
    )
    expect(console.by_testid("documents-remote-scan")).to_be_hidden()
    kiosk.by_testid("documents-photo").click()
    expect(kiosk.by_testid("photo-dialog")).to_be_visible()
    expect(kiosk.by_testid("photo-video")).not_to_have_js_property("videoWidth", 0)
    assert_no_serious_a11y_violations(kiosk.page)
    kiosk.by_testid("photo-take").click()

    expect(kiosk.by_testid("kiosk-documents")).to_have_attribute("data-state", "done", timeout=TIMEOUT_MS)
    expect(kiosk.by_testid("documents-status")).to_have_text(
        "C'est fait : votre photo est arrivée chez votre conseiller."
    )
    expect(console.by_testid("documents-received").locator(":scope > li")).to_have_count(1)
    photo = Document.objects.get(call=call)
    assert (photo.direction, photo.content_type, photo.pages) == ("scan", "image/jpeg", 1)
    wait_until(lambda: thumbnails_loaded(console, photo.pk) == 1, 20, message="the photo's thumbnail")
    assert_no_serious_a11y_violations(kiosk.page)
    assert_no_serious_a11y_violations(console.page)

    # The console, reloaded mid-call, lists the call's documents again.
    console.page.reload()
    console.expect_phase("in-call")
    expect(console.page.locator(f'[data-document-id="{photo.pk}"]')).to_be_visible()

    # A document sent to print to a kiosk without a printer: refused, said plainly.
    console.by_testid("documents-print-file").set_input_files(
        {"name": "courrier.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF"}
    )
    console.by_testid("documents-print-submit").click()
    expect(console.by_testid("documents-error")).to_have_text(
        "L'envoi n'a pas abouti : Cette borne n'a pas d'imprimante."
    )

    kiosk.hang_up()
    expect(kiosk.by_testid("receipt")).to_be_hidden()
    kiosk.rate(4)
    expect_wiped(kiosk)
    expect_no_document_left(kiosk)

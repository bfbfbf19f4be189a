"""The documents services: who may send what and when, scans, print jobs, the bridge's reports, and the events
they publish after commit."""

import io

import pytest

from tests.documents import hostile
from tests.documents.conftest import Subscriber, listing, store
from visiorelais.calls.errors import CallNotFound
from visiorelais.calls.events import group_for_kiosk, group_for_station
from visiorelais.calls.services import call_end
from visiorelais.documents.errors import (
    CallNotConnected,
    DocumentError,
    DocumentNotAllowed,
    DocumentRefused,
    DocumentTooLarge,
    IllegalTransition,
    InvalidReport,
    PrintJobNotFound,
    ScanRequestNotFound,
)
from visiorelais.documents.events import group_for_bridge
from visiorelais.documents.models import BridgeWipe, Document, PeripheralReport, PrintJob, ScanRequest
from visiorelais.documents.selectors import document_plaintext, peripherals_entry, retention_hours_for
from visiorelais.documents.services import (
    bridge_wiped,
    document_store,
    peripherals_report,
    print_job_update,
    scan_failed,
    scan_progress,
    scan_request,
)

SCANNER = {"present": True, "ready": True, "detail": "test:0", "adf": True}
PRINTER = {"present": True, "ready": True, "state": "idle", "reasons": []}


def nothing_stored(documents_dir) -> bool:
    return Document.objects.count() == 0 and PrintJob.objects.count() == 0 and listing(documents_dir) == []


@pytest.fixture
def screens(call):
    """The call's kiosk screen, the agent's console and the kiosk's bridge, listening."""
    return (
        Subscriber(group_for_kiosk(call.kiosk_id)),
        Subscriber(group_for_station(call.station_id)),
        Subscriber(group_for_bridge(call.kiosk_id)),
    )


# Storing.


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (hostile.HTML, "bad_type"),
        (b"", "empty"),
        (hostile.truncated_jpeg(), "unreadable"),
        (hostile.pixel_flood_png(), "too_many_pixels"),
        (b"%PDF-1.4\n%%EOF", "unreadable"),
    ],
    ids=["html_named_pdf", "empty", "truncated_jpeg", "pixel_flood", "broken_pdf"],
)
def test_a_refused_file_leaves_no_row_and_no_file(call, documents_dir, data, code):
    with pytest.raises(DocumentRefused) as caught:
        store(call, data, name="lettre.pdf")
    assert caught.value.code == code
    assert caught.value.message
    assert nothing_stored(documents_dir)


def test_an_oversized_file_is_refused_while_streaming_and_leaves_nothing(call, documents_dir, settings):
    settings.DOCUMENT_MAX_BYTES = 1000
    with pytest.raises(DocumentTooLarge) as caught:
        store(call, hostile.pdf_bytes(20))
    assert caught.value.message == "Le fichier dépasse la taille maximale acceptée (1000 octets)."
    assert nothing_stored(documents_dir)


def test_a_png_named_pdf_is_accepted_by_its_content(call):
    document = store(call, hostile.png_bytes(), name="photo.pdf")
    assert (document.content_type, document.name, document.pages) == ("image/png", "photo.png", 1)


def test_a_path_traversal_name_is_only_a_display_name(call, documents_dir, tmp_path):
    document = store(call, hostile.pdf_bytes(), name="../../etc/passwd.pdf")
    assert document.name == "passwd.pdf"
    assert listing(documents_dir) == [document.storage_name]
    assert not (tmp_path / "etc").exists()
    assert len(document.storage_name) == 32


@pytest.mark.parametrize(
    "build",
    [
        hostile.with_javascript,
        hostile.with_open_action,
        hostile.with_embedded_file,
        hostile.with_form,
        hostile.with_launch_action,
    ],
)
def test_a_stored_hostile_pdf_decrypts_to_a_clean_one(call, build):
    document = store(call, hostile.pdf_bytes(2, build=build), name="piège.pdf")
    data = document_plaintext(document)
    hostile.assert_pdf_is_clean(data, pages=2)
    assert document.pages == 2
    assert document.size == len(data)


def test_a_scan_comes_only_from_the_calls_kiosk(world, call):
    with pytest.raises(CallNotFound):
        store(call, hostile.png_bytes(), kiosk=world.kiosk_saint_lo)
    with pytest.raises(DocumentNotAllowed):
        store(call, hostile.png_bytes(), agent=world.alice)


def test_a_print_comes_only_from_the_agent_on_the_call(world, call, carla):
    with pytest.raises(DocumentNotAllowed):
        store(call, hostile.pdf_bytes(), direction="print", kiosk=world.kiosk_coutances)
    with pytest.raises(CallNotFound):
        store(call, hostile.pdf_bytes(), direction="print", agent=world.bob)
    with pytest.raises(DocumentNotAllowed):
        store(call, hostile.pdf_bytes(), direction="print", agent=carla)


def test_nothing_crosses_a_call_that_is_not_connected(world, call, documents_dir):
    call_end(call_id=call.pk, kiosk=world.kiosk_coutances)
    with pytest.raises(CallNotConnected) as caught:
        store(call, hostile.pdf_bytes())
    assert caught.value.message.startswith("L'appel n'est pas en cours")
    with pytest.raises(CallNotConnected):
        scan_request(call_id=call.pk, kiosk=world.kiosk_coutances)
    assert nothing_stored(documents_dir)


def test_a_print_to_a_kiosk_without_a_printer_is_refused(world, call):
    world.kiosk_coutances.has_printer = False
    world.kiosk_coutances.save()
    with pytest.raises(DocumentError) as caught:
        store(call, hostile.pdf_bytes(), direction="print")
    assert caught.value.message == "Cette borne n'a pas d'imprimante."


def test_a_print_queues_a_job_and_tells_the_bridge_after_commit(call, screens, django_capture_on_commit_callbacks):
    kiosk, console, bridge = screens
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = store(call, hostile.pdf_bytes(), direction="print", name="attestation.pdf")
    assert kiosk.drain() == console.drain() == bridge.drain() == []
    for callback in callbacks:
        callback()
    job = document.print_job
    assert job.state == "queued"
    assert bridge.drain() == [("bridge.print", {"call_id": call.pk, "document_id": document.pk, "job_id": job.pk})]
    for screen in (kiosk, console):
        [(event, payload)] = screen.drain()
        assert event == "document.added"
        assert payload["document"]["print_job"] == {
            "id": job.pk,
            "state": "queued",
            "reason": "",
            "message": "En attente d'impression.",
        }
        assert payload["document"]["name"] == "attestation.pdf"


def test_a_rolled_back_store_publishes_nothing(call, screens, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DocumentRefused):
        store(call, hostile.HTML)
    assert all(screen.drain() == [] for screen in screens)


# Scans.


def test_a_scan_request_reaches_the_bridge_with_the_feeder_when_there_is_one(
    world, call, screens, django_capture_on_commit_callbacks
):
    kiosk, console, bridge = screens
    peripherals_report(kiosk=world.kiosk_coutances, scanner=SCANNER, printer=PRINTER)
    kiosk.drain()
    with django_capture_on_commit_callbacks(execute=True):
        request = scan_request(call_id=call.pk, agent=world.alice)
    assert request.requested_by == "agent"
    assert bridge.drain() == [
        (
            "bridge.scan",
            {
                "call_id": call.pk,
                "request_id": request.request_id,
                "options": {"resolution": 300, "mode": "Gray", "source": "ADF"},
            },
        )
    ]
    assert (
        kiosk.drain()
        == console.drain()
        == [
            (
                "scan.state",
                {
                    "call_id": call.pk,
                    "request_id": request.request_id,
                    "state": "requested",
                    "pages": 0,
                    "message": "Numérisation demandée : posez vos feuilles sur le scanner.",
                },
            )
        ]
    )


def test_a_scanner_without_a_feeder_scans_on_the_flatbed(world, call, screens, django_capture_on_commit_callbacks):
    bridge = screens[2]
    with django_capture_on_commit_callbacks(execute=True):
        scan_request(call_id=call.pk, kiosk=world.kiosk_coutances)
    [(_, payload)] = bridge.drain()
    assert payload["options"]["source"] == "Flatbed"


def test_a_scan_goes_from_requested_to_done_and_its_document_is_announced(
    world, call, screens, django_capture_on_commit_callbacks
):
    kiosk_screen, console, _ = screens
    kiosk = world.kiosk_coutances
    with django_capture_on_commit_callbacks(execute=True):
        request = scan_request(call_id=call.pk, kiosk=kiosk)
        scan_progress(kiosk=kiosk, request_id=request.request_id, pages=1, state="scanning")
        scan_progress(kiosk=kiosk, request_id=request.request_id, pages=2, state="scanning")
        scan_progress(kiosk=kiosk, request_id=request.request_id, pages=2, state="scanning")  # same: no event
        scan_progress(kiosk=kiosk, request_id=request.request_id, pages=2, state="uploading")
        scan_progress(kiosk=kiosk, request_id=request.request_id, pages=1, state="scanning")  # late: ignored
        document = store(call, hostile.pdf_bytes(2), scan_request_id=request.request_id)
    events = console.drain()
    assert [(e, p.get("state"), p.get("pages")) for e, p in events] == [
        ("scan.state", "requested", 0),
        ("scan.state", "scanning", 1),
        ("scan.state", "scanning", 2),
        ("scan.state", "uploading", 2),
        ("document.added", None, None),
        ("scan.state", "done", 2),
    ]
    assert events[2][1]["message"] == "Numérisation en cours… (2 pages)"
    assert kiosk_screen.drain() == events
    request.refresh_from_db()
    assert (request.state, request.document_id) == ("done", document.pk)
    with pytest.raises(DocumentRefused):
        store(call, hostile.pdf_bytes(), scan_request_id=request.request_id)


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("jammed", "Le scanner est bloqué : une feuille coince."),
        ("no_docs", "Aucune feuille dans le scanner : posez vos documents puis recommencez."),
        ("cover_open", "Le capot du scanner est ouvert : refermez-le puis recommencez."),
        ("no_scanner", "Le scanner de la borne ne répond pas."),
        ("error", "La numérisation a échoué. Vous pouvez recommencer."),
    ],
)
def test_a_failed_scan_says_why_in_french(world, call, screens, django_capture_on_commit_callbacks, reason, message):
    kiosk = world.kiosk_coutances
    request = scan_request(call_id=call.pk, kiosk=kiosk)
    with django_capture_on_commit_callbacks(execute=True):
        scan_failed(kiosk=kiosk, request_id=request.request_id, reason=reason)
        scan_failed(kiosk=kiosk, request_id=request.request_id, reason=reason)  # idempotent
    [(event, payload)] = screens[1].drain()[-1:]
    assert (event, payload["state"], payload["message"]) == ("scan.state", "failed", message)
    assert ScanRequest.objects.get(pk=request.pk).reason == reason


def test_one_scan_at_a_time_until_the_bridge_has_been_silent_for_two_minutes(world, call, clock):
    first = scan_request(call_id=call.pk, kiosk=world.kiosk_coutances)
    with pytest.raises(IllegalTransition) as caught:
        scan_request(call_id=call.pk, agent=world.alice)
    assert caught.value.message == "Une numérisation est déjà en cours."
    clock.shift(121)
    second = scan_request(call_id=call.pk, agent=world.alice)
    first.refresh_from_db()
    assert (first.state, first.reason, second.state) == ("failed", "error", "requested")


def test_scan_reports_are_taken_only_from_the_calls_kiosk(world, call):
    request = scan_request(call_id=call.pk, kiosk=world.kiosk_coutances)
    with pytest.raises(ScanRequestNotFound):
        scan_progress(kiosk=world.kiosk_saint_lo, request_id=request.request_id, pages=1, state="scanning")
    with pytest.raises(ScanRequestNotFound):
        scan_failed(kiosk=world.kiosk_saint_lo, request_id=request.request_id, reason="jammed")
    with pytest.raises(InvalidReport):
        scan_failed(kiosk=world.kiosk_coutances, request_id=request.request_id, reason="on_fire")
    with pytest.raises(InvalidReport):
        scan_progress(kiosk=world.kiosk_coutances, request_id=request.request_id, pages=-1, state="scanning")


def test_a_remote_scan_is_asked_only_by_the_agent_on_the_call(world, call, carla):
    with pytest.raises(DocumentNotAllowed):
        scan_request(call_id=call.pk, agent=carla)
    with pytest.raises(CallNotFound):
        scan_request(call_id=call.pk, agent=world.bob)
    with pytest.raises(CallNotFound):
        scan_request(call_id=call.pk, kiosk=world.kiosk_saint_lo)


# Print jobs.


@pytest.fixture
def job(call):
    return store(call, hostile.pdf_bytes(), direction="print").print_job


def test_a_print_job_goes_queued_printing_done(world, call, job, screens, django_capture_on_commit_callbacks):
    kiosk = world.kiosk_coutances
    with django_capture_on_commit_callbacks(execute=True):
        print_job_update(kiosk=kiosk, job_id=job.pk, state="printing")
        print_job_update(kiosk=kiosk, job_id=job.pk, state="done")
    job.refresh_from_db()
    assert job.state == "done"
    assert job.submitted_at is not None
    events = screens[1].drain()
    assert [(e, p["print_job"]["state"]) for e, p in events] == [
        ("print_job.state", "printing"),
        ("print_job.state", "done"),
    ]
    assert events[-1][1] == {
        "document_id": job.document_id,
        "print_job": {
            "id": job.pk,
            "state": "done",
            "reason": "",
            "message": "Document imprimé : reprenez-le dans le bac de l'imprimante.",
        },
    }


def test_a_repeated_print_report_changes_nothing_and_publishes_nothing(
    world, job, screens, django_capture_on_commit_callbacks
):
    kiosk = world.kiosk_coutances
    print_job_update(kiosk=kiosk, job_id=job.pk, state="failed", reason="out_of_paper")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = print_job_update(kiosk=kiosk, job_id=job.pk, state="failed", reason="out_of_paper")
    assert callbacks == []
    assert again.message == "L'imprimante n'a plus de papier : prévenez l'accueil."


@pytest.mark.parametrize(
    ("moves", "refused"),
    [
        (["done"], "printing"),
        (["done"], "queued"),
        (["printing"], "queued"),
        ([("failed", "jammed")], "done"),
    ],
)
def test_a_print_job_never_moves_backwards_or_out_of_an_end(world, job, moves, refused):
    kiosk = world.kiosk_coutances
    for move in moves:
        state, reason = move if isinstance(move, tuple) else (move, "")
        print_job_update(kiosk=kiosk, job_id=job.pk, state=state, reason=reason)
    with pytest.raises(IllegalTransition):
        print_job_update(kiosk=kiosk, job_id=job.pk, state=refused)


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("out_of_paper", "L'imprimante n'a plus de papier : prévenez l'accueil."),
        ("jammed", "Une feuille est coincée dans l'imprimante : prévenez l'accueil."),
        ("offline", "L'imprimante de la borne ne répond pas."),
        ("error", "L'impression a échoué."),
    ],
)
def test_a_failed_print_says_why_in_french(world, job, reason, message):
    job = print_job_update(kiosk=world.kiosk_coutances, job_id=job.pk, state="failed", reason=reason)
    assert (job.state, job.reason, job.message) == ("failed", reason, message)


def test_print_reports_are_taken_only_from_the_jobs_kiosk_and_well_formed(world, job):
    with pytest.raises(PrintJobNotFound):
        print_job_update(kiosk=world.kiosk_saint_lo, job_id=job.pk, state="printing")
    with pytest.raises(InvalidReport):
        print_job_update(kiosk=world.kiosk_coutances, job_id=job.pk, state="failed")
    with pytest.raises(InvalidReport):
        print_job_update(kiosk=world.kiosk_coutances, job_id=job.pk, state="exploded")
    job.refresh_from_db()
    assert job.state == "queued"


# The bridge's reports.


def test_a_health_report_adds_a_row_only_when_something_changed(
    world, call, screens, clock, django_capture_on_commit_callbacks
):
    kiosk = world.kiosk_coutances
    with django_capture_on_commit_callbacks(execute=True):
        first = peripherals_report(kiosk=kiosk, scanner=SCANNER, printer=PRINTER)
        clock.shift(10)
        same = peripherals_report(kiosk=kiosk, scanner=dict(SCANNER, extra="dropped"), printer=PRINTER)
        stopped = dict(PRINTER, ready=False, state="stopped", reasons=["media-empty-error"])
        changed = peripherals_report(kiosk=kiosk, scanner=SCANNER, printer=stopped)
    assert same.pk == first.pk
    assert changed.pk != first.pk
    assert PeripheralReport.objects.filter(kiosk=kiosk).count() == 2
    for screen in screens[:2]:
        assert [payload["printer"]["state"] for _, payload in screen.drain()] == ["idle", "stopped"]
    entry = peripherals_entry(kiosk_id=kiosk.pk)
    assert entry["printer"] == stopped
    assert entry["scanner"] == SCANNER


@pytest.mark.parametrize(
    ("scanner", "printer"),
    [
        (None, PRINTER),
        ({"present": "yes", "ready": True}, PRINTER),
        (SCANNER, dict(PRINTER, state="on_fire")),
        (SCANNER, dict(PRINTER, reasons="paper")),
        (dict(SCANNER, detail="x" * 500), PRINTER),
    ],
)
def test_a_malformed_health_report_is_refused(world, scanner, printer):
    with pytest.raises(InvalidReport):
        peripherals_report(kiosk=world.kiosk_coutances, scanner=scanner, printer=printer)
    assert not PeripheralReport.objects.exists()


def test_a_wipe_is_recorded_for_the_kiosks_own_call_only(world, call):
    wipe = bridge_wiped(kiosk=world.kiosk_coutances, call_id=call.pk, files=3)
    assert (wipe.call_id, wipe.files) == (call.pk, 3)
    with pytest.raises(CallNotFound):
        bridge_wiped(kiosk=world.kiosk_saint_lo, call_id=call.pk, files=1)
    with pytest.raises(InvalidReport):
        bridge_wiped(kiosk=world.kiosk_coutances, call_id=call.pk, files=True)
    assert BridgeWipe.objects.count() == 1


def test_a_partner_without_a_policy_keeps_documents_24_hours(world):
    from visiorelais.documents.models import PartnerDocumentPolicy

    assert retention_hours_for(world.caf) == 24
    PartnerDocumentPolicy.objects.create(partner=world.caf, retention_hours=72)
    assert retention_hours_for(world.caf) == 72


def test_the_store_signature_is_keyword_only(call):
    with pytest.raises(TypeError):
        document_store(call.pk, "scan", io.BytesIO(b""), "x")  # type: ignore[misc]

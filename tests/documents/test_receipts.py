"""The receipt printed at the kiosk after the call: who may ask, until when, what it holds, what the bridge hears,
and that the bridge may still fetch it once the call has ended."""

import datetime as dt

import pytest

from tests.documents import hostile
from tests.documents.conftest import Subscriber, store
from visiorelais.calls.errors import CallNotFound
from visiorelais.calls.events import group_for_kiosk, group_for_station
from visiorelais.calls.services import call_end
from visiorelais.documents.errors import DocumentError, IllegalTransition
from visiorelais.documents.events import group_for_bridge
from visiorelais.documents.models import Document, PrintJob
from visiorelais.documents.selectors import call_documents, document_get_for_kiosk, document_plaintext
from visiorelais.documents.services import RECEIPT_PRINT_WINDOW, print_job_update, receipt_print


@pytest.fixture
def ended(world, call):
    """The connected call, with one scan and one print, then hung up at the kiosk."""
    store(call, hostile.pdf_bytes(), name="avis.pdf")
    store(call, hostile.pdf_bytes(), direction="print", name="attestation.pdf")
    return call_end(call_id=call.pk, kiosk=world.kiosk_coutances)


def test_the_calls_kiosk_prints_the_receipt_after_the_call_and_its_bridge_hears_it(
    world, ended, django_capture_on_commit_callbacks
):
    kiosk, console, bridge = (
        Subscriber(group_for_kiosk(ended.kiosk_id)),
        Subscriber(group_for_station(ended.station_id)),
        Subscriber(group_for_bridge(ended.kiosk_id)),
    )
    with django_capture_on_commit_callbacks(execute=True):
        receipt = receipt_print(kiosk=world.kiosk_coutances, call_id=ended.pk)

    assert receipt.direction == Document.Direction.PRINT and receipt.is_receipt
    assert receipt.uploaded_by_user is None and receipt.uploaded_by_kiosk is None
    assert receipt.print_job.state == PrintJob.State.QUEUED
    assert bridge.drain() == [
        ("bridge.print", {"call_id": ended.pk, "document_id": receipt.pk, "job_id": receipt.print_job.pk})
    ]
    [(event, payload)] = kiosk.drain()
    assert event == "document.added" and payload["document"]["id"] == receipt.pk
    assert console.drain() == []  # the agent has moved on
    assert document_plaintext(receipt).startswith(b"%PDF-")
    assert receipt.pages == 1


def test_the_receipt_lists_the_calls_documents_but_not_earlier_receipts(world, ended):
    first = receipt_print(kiosk=world.kiosk_coutances, call_id=ended.pk)
    print_job_update(kiosk=world.kiosk_coutances, job_id=first.print_job.pk, state="done")
    receipt_print(kiosk=world.kiosk_coutances, call_id=ended.pk)

    assert [d.name for d in call_documents(call_id=ended.pk)] == ["avis.pdf", "attestation.pdf"]


def test_the_bridge_may_fetch_the_receipt_and_report_its_job_although_the_call_has_ended(world, ended, bridge):
    receipt = receipt_print(kiosk=world.kiosk_coutances, call_id=ended.pk)

    assert document_get_for_kiosk(kiosk=world.kiosk_coutances, document_id=receipt.pk) == receipt
    response = bridge.get(f"/api/documents/{receipt.pk}/content")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    job = print_job_update(kiosk=world.kiosk_coutances, job_id=receipt.print_job.pk, state="printing")
    job = print_job_update(kiosk=world.kiosk_coutances, job_id=job.pk, state="done")
    assert job.state == "done"


def test_only_the_calls_kiosk_gets_a_receipt(world, ended):
    with pytest.raises(CallNotFound):
        receipt_print(kiosk=world.kiosk_saint_lo, call_id=ended.pk)
    assert not Document.objects.filter(is_receipt=True).exists()


def test_a_receipt_waits_for_the_end_of_the_call(world, call):
    with pytest.raises(DocumentError) as refused:
        receipt_print(kiosk=world.kiosk_coutances, call_id=call.pk)
    assert refused.value.code == "call_not_ended"


def test_a_receipt_is_printed_only_shortly_after_the_call(world, ended, clock):
    clock.shift(RECEIPT_PRINT_WINDOW + dt.timedelta(seconds=1))
    with pytest.raises(DocumentError) as refused:
        receipt_print(kiosk=world.kiosk_coutances, call_id=ended.pk)
    assert refused.value.code == "receipt_expired"
    assert "10 minutes" in refused.value.message


def test_a_kiosk_without_a_printer_has_no_receipt_on_paper(world, ended):
    world.kiosk_coutances.has_printer = False
    world.kiosk_coutances.save()
    with pytest.raises(DocumentError) as refused:
        receipt_print(kiosk=world.kiosk_coutances, call_id=ended.pk)
    assert refused.value.code == "no_printer"


def test_one_receipt_prints_at_a_time(world, ended):
    receipt_print(kiosk=world.kiosk_coutances, call_id=ended.pk)
    with pytest.raises(IllegalTransition) as refused:
        receipt_print(kiosk=world.kiosk_coutances, call_id=ended.pk)
    assert refused.value.code == "receipt_printing"
    assert Document.objects.filter(is_receipt=True).count() == 1

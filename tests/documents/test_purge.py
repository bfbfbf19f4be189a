"""The purge: files go once the partner's retention has passed since the call's end; rows stay, marked."""

import io
import os
import threading

import pytest
from django.core.management import call_command
from django.db import connection

from tests.documents import hostile
from tests.documents.conftest import listing, store
from visiorelais.calls.services import call_end
from visiorelais.documents import storage
from visiorelais.documents.models import Document, PartnerDocumentPolicy
from visiorelais.documents.services import documents_purge


@pytest.fixture
def ended_call_with_documents(world, call, clock):
    scan = store(call, hostile.pdf_bytes())
    printed = store(call, hostile.png_bytes(), direction="print")
    call_end(call_id=call.pk, kiosk=world.kiosk_coutances)
    return scan, printed


def test_nothing_is_purged_before_the_retention_and_everything_after_it_once(
    ended_call_with_documents, clock, documents_dir
):
    scan, printed = ended_call_with_documents
    clock.shift(24 * 3600 - 1)
    assert documents_purge() == 0
    assert sorted(listing(documents_dir)) == sorted([scan.storage_name, printed.storage_name])
    clock.shift(1)
    assert documents_purge() == 2
    assert listing(documents_dir) == []
    assert documents_purge() == 0  # run twice: nothing more to do
    for document in Document.objects.all():
        assert document.purged_at is not None
        assert document.sha256 and document.pages  # the row stays for the statistics


def test_a_connected_call_keeps_its_documents_however_old(call, clock):
    store(call, hostile.png_bytes())
    clock.shift(7 * 24 * 3600)
    assert documents_purge() == 0


def test_each_partner_sets_its_own_retention(world, ended_call_with_documents, clock):
    PartnerDocumentPolicy.objects.create(partner=world.caf, retention_hours=2)
    clock.shift(2 * 3600 - 1)
    assert documents_purge() == 0
    clock.shift(1)
    assert documents_purge() == 2


def test_a_file_already_gone_does_not_stop_the_purge(ended_call_with_documents, clock, documents_dir):
    scan, _ = ended_call_with_documents
    os.unlink(documents_dir / scan.storage_name)
    clock.shift(25 * 3600)
    assert documents_purge() == 2


def test_a_file_left_by_a_rolled_back_store_is_removed_after_an_hour(
    world, ended_call_with_documents, clock, documents_dir
):
    orphan = storage.new_storage_name()
    storage.blob_write(orphan, b"VRD1 left behind")
    documents_purge()
    assert orphan in listing(documents_dir)
    os.utime(documents_dir / orphan, (0, 0))
    documents_purge()
    assert orphan not in listing(documents_dir)
    assert len(listing(documents_dir)) == 2  # the live documents are untouched


def test_the_command_purges_and_says_how_many(ended_call_with_documents, clock):
    clock.shift(25 * 3600)
    out = io.StringIO()
    call_command("purge-documents", stdout=out)
    assert out.getvalue().strip() == "2 document(s) purgé(s)."


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_two_purges_at_once_purge_each_document_once(world, clock, documents_dir):
    from visiorelais.calls.services import call_accept, call_request, station_take

    station_take(agent=world.alice, station_id=world.caf_station_1.pk)
    call = call_accept(agent=world.alice, call_id=call_request(kiosk=world.kiosk_coutances, partner_id=world.caf.pk).pk)
    for _ in range(6):
        store(call, hostile.png_bytes())
    call_end(call_id=call.pk, kiosk=world.kiosk_coutances)
    clock.shift(25 * 3600)
    counts, errors = [], []

    def purge():
        try:
            counts.append(documents_purge())
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=purge) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(counts) in ([0, 6], [1, 5], [2, 4], [3, 3]) or sum(counts) == 6
    assert Document.objects.filter(purged_at__isnull=True).count() == 0
    assert listing(documents_dir) == []

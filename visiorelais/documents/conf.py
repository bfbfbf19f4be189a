"""The documents settings, read at use time so that tests can override them (see docs/configuration.md)."""

from pathlib import Path

from django.conf import settings

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_PAGES = 50
DEFAULT_MAX_PIXELS = 40_000_000


def max_bytes() -> int:
    return int(getattr(settings, "DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_pages() -> int:
    return int(getattr(settings, "DOCUMENT_MAX_PAGES", DEFAULT_MAX_PAGES))


def max_pixels() -> int:
    return int(getattr(settings, "DOCUMENT_MAX_PIXELS", DEFAULT_MAX_PIXELS))


def documents_dir() -> Path:
    return Path(getattr(settings, "DOCUMENTS_DIR", None) or Path(settings.DATA_DIR) / "documents")


def key_spec() -> str:
    return getattr(settings, "DOCUMENT_KEYS", "") or ""


def data_dir() -> Path:
    return Path(settings.DATA_DIR)

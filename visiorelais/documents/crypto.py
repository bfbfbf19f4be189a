"""Encryption at rest: AES-256-GCM, one fresh 96-bit nonce per file, the document id as associated data.

Key ring: DOCUMENT_KEYS = "id:base64key,id:base64key" (32-byte keys); the first key encrypts, every key
decrypts, so a key is rotated by putting a new one first and dropping the old one once no stored file uses it
(`Document.key_id` says which). When DOCUMENT_KEYS is unset, one key is generated on first use into
$VISIORELAIS_DATA_DIR/document_keys (mode 0600), like the secret key, and reused.

File layout: b"VRD1" | nonce (12 bytes) | ciphertext and GCM tag. The associated data binds a file to its
document: a file moved onto another document's name does not decrypt.
"""

import base64
import binascii
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from visiorelais.documents import conf
from visiorelais.documents.errors import DocumentError

MAGIC = b"VRD1"
NONCE_BYTES = 12
KEY_BYTES = 32
KEY_FILE = "document_keys"
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class DocumentKeyError(DocumentError):
    """A file that cannot be decrypted: unknown key id, tampered or truncated file."""

    code = "undecryptable"
    status = 500
    message = "Ce document ne peut pas être déchiffré."


@dataclass(frozen=True)
class KeyRing:
    keys: dict[str, bytes]  # in order: the first one encrypts

    @property
    def current_id(self) -> str:
        return next(iter(self.keys))


def parse_key_spec(spec: str) -> KeyRing:
    """`id:base64key,…` → KeyRing. Raises ValueError on an empty ring, a bad id, a duplicate id, or a key
    that is not 32 bytes of (standard or URL-safe) base64."""
    keys: dict[str, bytes] = {}
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        if not sep or not _KEY_ID.match(key_id):
            raise ValueError("DOCUMENT_KEYS: each key is written id:base64 (id: letters, digits, - and _)")
        if key_id in keys:
            raise ValueError(f"DOCUMENT_KEYS: key id {key_id!r} appears twice")
        try:
            raw = base64.b64decode(encoded.strip().replace("-", "+").replace("_", "/"), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"DOCUMENT_KEYS: key {key_id!r} is not base64") from None
        if len(raw) != KEY_BYTES:
            raise ValueError(f"DOCUMENT_KEYS: key {key_id!r} must be {KEY_BYTES} bytes, not {len(raw)}")
        keys[key_id] = raw
    if not keys:
        raise ValueError("DOCUMENT_KEYS holds no key")
    return KeyRing(keys)


def new_key_spec(key_id: str | None = None) -> str:
    """A fresh `id:base64key` entry, e.g. to put first in DOCUMENT_KEYS when rotating."""
    key_id = key_id or f"k{secrets.token_hex(4)}"
    return f"{key_id}:{base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()}"


def _local_key_spec(data_dir: Path) -> str:
    path = data_dir / KEY_FILE
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    spec = new_key_spec()
    try:
        # 0600 and O_EXCL: readable by the server's account only, and two processes starting at once
        # end up with the same key (the loser reads the winner's).
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(spec)
    return spec


_rings: dict[tuple[str, str], KeyRing] = {}


def key_ring() -> KeyRing:
    """The ring in force (DOCUMENT_KEYS, else the generated local key), parsed once per value."""
    spec = conf.key_spec()
    cache_key = (spec, str(conf.data_dir()))
    if cache_key not in _rings:
        _rings[cache_key] = parse_key_spec(spec or _local_key_spec(conf.data_dir()))
    return _rings[cache_key]


def _associated_data(document_id: int) -> bytes:
    return f"visiorelais/document/{document_id}".encode()


def encrypt(plaintext: bytes, *, document_id: int) -> tuple[str, bytes]:
    """(key id, encrypted file) for `plaintext`, with the ring's first key and a fresh nonce."""
    ring = key_ring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(ring.keys[ring.current_id]).encrypt(nonce, plaintext, _associated_data(document_id))
    return ring.current_id, MAGIC + nonce + sealed


def decrypt(blob: bytes, *, key_id: str, document_id: int) -> bytes:
    """The plaintext of an encrypted file; DocumentKeyError when the key is gone or the file was altered."""
    key = key_ring().keys.get(key_id)
    if key is None:
        raise DocumentKeyError(code="unknown_key")
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + NONCE_BYTES + 16:
        raise DocumentKeyError(code="corrupt")
    nonce = blob[len(MAGIC) : len(MAGIC) + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, blob[len(MAGIC) + NONCE_BYTES :], _associated_data(document_id))
    except InvalidTag:
        raise DocumentKeyError(code="corrupt") from None

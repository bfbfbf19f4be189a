"""Encryption at rest: AES-256-GCM per file, the document id bound in, keys rotated without re-encrypting."""

import base64
import hashlib
import io
import os
import stat

import pikepdf
import pytest

from tests.documents import hostile
from tests.documents.conftest import TEST_KEY, store
from visiorelais.documents import crypto, storage
from visiorelais.documents.crypto import DocumentKeyError, parse_key_spec
from visiorelais.documents.selectors import document_plaintext


def test_the_file_on_disk_is_ciphertext_that_does_not_contain_the_plaintext(call, documents_dir):
    document = store(call, hostile.pdf_bytes(text="Numero fiscal 1234567890123"))
    blob = (documents_dir / document.storage_name).read_bytes()
    plaintext = document_plaintext(document)
    with pikepdf.open(io.BytesIO(plaintext)) as pdf:
        assert b"Numero fiscal 1234567890123" in pdf.pages[0].Contents.read_bytes()
    assert plaintext[:64] not in blob
    assert blob.startswith(b"VRD1")
    assert document.key_id == "test1"
    assert stat.S_IMODE(os.stat(documents_dir).st_mode) == 0o700


def test_each_file_gets_a_fresh_nonce(call):
    data = hostile.png_bytes()
    first, second = store(call, data), store(call, data)
    first_blob, second_blob = storage.blob_read(first.storage_name), storage.blob_read(second.storage_name)
    assert first.sha256 == second.sha256
    assert first_blob[4:16] != second_blob[4:16]


def test_a_tampered_file_is_refused(call, documents_dir):
    document = store(call, hostile.png_bytes())
    path = documents_dir / document.storage_name
    blob = bytearray(path.read_bytes())
    blob[-20] ^= 0x01
    path.write_bytes(bytes(blob))
    with pytest.raises(DocumentKeyError) as caught:
        document_plaintext(document)
    assert caught.value.code == "corrupt"


def test_a_file_moved_onto_another_document_does_not_decrypt(call, documents_dir):
    first, second = store(call, hostile.png_bytes()), store(call, hostile.jpeg_bytes())
    (documents_dir / second.storage_name).write_bytes((documents_dir / first.storage_name).read_bytes())
    with pytest.raises(DocumentKeyError):
        document_plaintext(second)


def test_old_files_still_decrypt_after_a_new_key_is_put_first(call, settings):
    old = store(call, hostile.png_bytes((10, 10)))
    settings.DOCUMENT_KEYS = f"{crypto.new_key_spec('test2')},{TEST_KEY}"
    new = store(call, hostile.png_bytes((20, 10)))
    assert (old.key_id, new.key_id) == ("test1", "test2")
    assert hashlib.sha256(document_plaintext(old)).hexdigest() == old.sha256
    assert hashlib.sha256(document_plaintext(new)).hexdigest() == new.sha256
    # Once the old key is dropped, its files no longer decrypt (and say so).
    settings.DOCUMENT_KEYS = crypto.new_key_spec("test3")
    with pytest.raises(DocumentKeyError) as caught:
        document_plaintext(old)
    assert caught.value.code == "unknown_key"


def test_without_document_keys_one_key_is_generated_once_with_mode_0600(settings, tmp_path):
    settings.DOCUMENT_KEYS = ""
    settings.DATA_DIR = tmp_path / "fresh"
    ring = crypto.key_ring()
    path = tmp_path / "fresh" / "document_keys"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    key_id, blob = crypto.encrypt(b"bonjour", document_id=7)
    assert key_id == ring.current_id
    crypto._rings.clear()
    assert crypto.key_ring() == ring
    assert crypto.decrypt(blob, key_id=key_id, document_id=7) == b"bonjour"


@pytest.mark.parametrize(
    "spec",
    ["", "k1", "k1:notbase64!!", "k1:" + base64.b64encode(b"short").decode(), f"{TEST_KEY},{TEST_KEY}", "bad id:AAAA"],
)
def test_a_malformed_key_ring_is_refused(spec):
    with pytest.raises(ValueError):
        parse_key_spec(spec)

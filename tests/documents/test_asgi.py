"""The ASGI guard in front of Django: an upload body past DOCUMENT_MAX_BYTES is never taken in."""

import json

import pytest

from visiorelais.documents.asgi import UploadSizeLimit


class Recorder:
    """A fake downstream application that reads the whole body, as Django's handler does."""

    def __init__(self):
        self.body = b""
        self.called = False

    async def __call__(self, scope, receive, send):
        self.called = True
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            self.body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def run(app, *, path="/api/calls/1/documents", headers=(), chunks=(b"x",)):
    messages = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]
    sent = []

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": path, "headers": list(headers)}
    await app(scope, receive, send)
    return sent


@pytest.fixture
def small_limit(settings):
    settings.DOCUMENT_MAX_BYTES = 1024


async def test_a_declared_length_past_the_limit_is_answered_413_without_reading(small_limit):
    inner = Recorder()
    sent = await run(UploadSizeLimit(inner), headers=[(b"content-length", b"5000")])
    assert not inner.called
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"]) == {"error": "Le fichier dépasse la taille maximale acceptée (1 Ko)."}


async def test_a_body_that_streams_past_the_limit_is_cut_and_answered_413(small_limit):
    inner = Recorder()
    sent = await run(UploadSizeLimit(inner), chunks=[b"x" * 600] * 5)
    assert len(inner.body) <= 1024
    assert [m.get("status") for m in sent if m["type"] == "http.response.start"] == [413]


async def test_a_body_within_the_limit_and_other_paths_pass_through(small_limit):
    inner = Recorder()
    assert (await run(UploadSizeLimit(inner), chunks=[b"x" * 1000]))[0]["status"] == 201
    other = Recorder()
    assert (await run(UploadSizeLimit(other), path="/admin/", chunks=[b"x" * 5000]))[0]["status"] == 201

"""An ASGI middleware that caps the body of document uploads before Django reads it.

Django's ASGI handler receives a whole request body (into a temporary file past 2.5 MB) before any view
runs, with no limit of its own. Wrapped around the HTTP application, this refuses an upload whose
Content-Length is past DOCUMENT_MAX_BYTES at once, and cuts one that streams more than that, answering 413
with the same JSON error as the view: a huge body is never taken in.

    application = ProtocolTypeRouter({"http": UploadSizeLimit(django_asgi_app), ...})
"""

import json
import re

from visiorelais.documents import conf, storage

UPLOAD_PATH = re.compile(r"^/api/calls/\d+/documents$")


class UploadSizeLimit:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "POST" or not UPLOAD_PATH.match(scope.get("path", "")):
            return await self.app(scope, receive, send)
        limit = conf.max_bytes()
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            return await _too_large(send, limit)
        received = 0
        cut = False

        async def limited_receive():
            nonlocal received, cut
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    cut = True
                    # Django stops reading, treats it as a client gone, and answers nothing: we do.
                    return {"type": "http.disconnect"}
            return message

        await self.app(scope, limited_receive, send)
        if cut:
            await _too_large(send, limit)


async def _too_large(send, limit: int) -> None:
    body = json.dumps({"error": storage.too_large(limit).message}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})

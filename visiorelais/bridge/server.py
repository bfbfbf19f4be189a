"""The bridge's HTTP side (docs/documents.md, docs/kiosk-enrolment.md): enrolment, scan upload, print download
(a call's document, or an appointment's ticket).

Files go over HTTP, streamed from and to the call's folder, with the device token as a bearer token. urllib runs in
a worker thread: the daemon's event loop keeps answering the server meanwhile. No proxy: the bridge talks to its
server directly, as its WebSocket does.
"""

import asyncio
import json
import os
import shutil
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

USER_AGENT = "visiorelais-bridge"
_direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ServerError(Exception):
    """The server refused a request (`status`, and its French `message` when it gave one) or did not answer."""

    def __init__(self, status: int | None, message: str):
        super().__init__(f"{status}: {message}" if status else message)
        self.status = status
        self.message = message


class ServerClient:
    """`base_url` is the server's origin (http(s)://host[:port]); `token` the device token, or None to enrol."""

    timeout = 60.0

    def __init__(self, base_url: str, token: str | None = None):
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"the server URL must be http(s)://host[:port], not {base_url!r}")
        self.base_url = urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.token = token

    @property
    def socket_url(self) -> str:
        scheme = "wss" if self.base_url.startswith("https:") else "ws"
        return f"{scheme}:{self.base_url.split(':', 1)[1]}/ws/bridge/"

    def headers(self, **extra: str) -> dict[str, str]:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json", **extra}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def _open(self, request: urllib.request.Request):
        try:
            return _direct.open(request, timeout=self.timeout)
        except urllib.error.HTTPError as error:
            body = error.read(4096)
            try:
                message = json.loads(body).get("error", "")
            except (ValueError, AttributeError):
                message = body.decode(errors="replace")[:200]
            raise ServerError(error.code, message or error.reason) from None
        except (urllib.error.URLError, OSError) as error:
            raise ServerError(None, str(getattr(error, "reason", error))) from None

    def enrol_sync(self, code: str) -> dict:
        """POST /api/kiosk/enrol → {"token", "kiosk": {"code", "label"}}; ServerError when refused."""
        body = json.dumps({"code": code}).encode()
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked in __init__)
            f"{self.base_url}/api/kiosk/enrol",
            data=body,
            method="POST",
            headers=self.headers(**{"Content-Type": "application/json"}),
        )
        with self._open(request) as response:
            return json.loads(response.read())

    def upload_sync(self, *, call_id: int, path: Path, name: str, scan_request: str | None = None) -> dict:
        """POST /api/calls/<call_id>/documents with the file as the body, streamed → the Document (201)."""
        headers = self.headers(
            **{
                "Content-Type": "application/pdf",
                "Content-Length": str(path.stat().st_size),
                "X-Document-Name": quote(name, safe=""),
            }
        )
        if scan_request is not None:
            headers["X-Scan-Request"] = str(scan_request)
        with path.open("rb") as body:
            request = urllib.request.Request(  # noqa: S310
                f"{self.base_url}/api/calls/{int(call_id)}/documents", data=body, method="POST", headers=headers
            )
            with self._open(request) as response:
                return json.loads(response.read())

    def download_sync(self, *, document_id: int, destination: Path) -> Path:
        """GET /api/documents/<id>/content into `destination` (created 0600), streamed; returns it."""
        return self._download(f"/api/documents/{int(document_id)}/content", destination)

    def download_ticket_sync(self, *, ticket_id: int, destination: Path) -> Path:
        """GET /api/tickets/<id>.pdf (an appointment's ticket, printed outside any call) into `destination`."""
        return self._download(f"/api/tickets/{int(ticket_id)}.pdf", destination)

    def _download(self, path: str, destination: Path) -> Path:
        request = urllib.request.Request(f"{self.base_url}{path}", headers=self.headers(Accept="*/*"))  # noqa: S310
        with self._open(request) as response:
            descriptor = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                shutil.copyfileobj(response, handle, 256 * 1024)
        return destination

    async def upload(self, **kwargs) -> dict:
        return await asyncio.to_thread(self.upload_sync, **kwargs)

    async def download(self, **kwargs) -> Path:
        return await asyncio.to_thread(self.download_sync, **kwargs)

    async def download_ticket(self, **kwargs) -> Path:
        return await asyncio.to_thread(self.download_ticket_sync, **kwargs)


def token_write(path: Path, token: str) -> None:
    """Writes the device token to `path`, mode 0600, replacing any earlier one atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(token + "\n")
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def token_read(path: Path) -> str | None:
    """The device token in `path`, or None when the file is missing or empty."""
    try:
        token = Path(path).read_text().strip()
    except FileNotFoundError:
        return None
    return token or None

"""What both sockets of the live call share: frame validation, close codes, heartbeats, signaling relay,
and the document frames (docs/realtime.md, docs/documents.md).

Consumers only authenticate, validate frames, call one service or selector, and relay. The database is the
record; the channel layer only carries broadcasts (published by the services after commit) and signaling.
"""

import asyncio
import contextlib
import json
import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils.translation import gettext as _

from visiorelais.calls.errors import CallError, CallNotFound, NotAllowed
from visiorelais.calls.signaling import SignalError, decode_signal
from visiorelais.documents import services as documents
from visiorelais.documents.errors import DocumentError

logger = logging.getLogger(__name__)

MAX_FRAME_BYTES = 16 * 1024
HEARTBEAT_SECONDS = 10.0
SIGNAL_MESSAGE_TYPE = "visiorelais.signal"
# Document events (visiorelais/documents/events.py) and the frames they become on both sockets.
DOCUMENT_FRAMES = {
    "document.added": "document",
    "scan.state": "scan",
    "print_job.state": "print_job",
    "peripherals.state": "peripherals",
}


class CloseCode:
    NOT_AUTHENTICATED = 4001
    FORBIDDEN = 4003
    PRESENCE_EXPIRED = 4408
    MALFORMED = 4400
    TOO_LARGE = 4413


class ProtocolViolation(Exception):
    """A frame that ends the connection with `code` (docs/realtime.md, close codes)."""

    def __init__(self, code: int, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


def field_int(message: dict, name: str, *, optional: bool = False) -> int | None:
    value = message.get(name)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**53:
        raise ProtocolViolation(CloseCode.MALFORMED, f"{name} must be a positive integer")
    return value


def refusal_message(error: Exception) -> str:
    """The French sentence a screen shows for a refused action."""
    code = getattr(error, "code", "")
    messages = {
        "not_entitled": _("Ce partenaire n'est pas joignable depuis cette borne."),
        "appointment_only": _("Ce partenaire reçoit uniquement sur rendez-vous."),
        "bad_topic": _("Ce motif n'est pas proposé par ce partenaire."),
        "kiosk_busy": _("Un appel est déjà en cours sur cette borne."),
        "bad_rating": _("La note va de 1 à 5."),
        "already_rated": _("Cet appel a déjà été évalué. Merci !"),
        "bad_outcome": _("Choisissez l'issue de l'appel dans la liste."),
        "already_wrapped_up": _("Cet appel a déjà été clôturé."),
    }
    if isinstance(error, CallNotFound):
        return _("Cet appel n'existe plus ou n'est pas le vôtre.")
    if isinstance(error, NotAllowed):
        return _("Vous ne pouvez pas faire cela pour cet appel.")
    return messages.get(code, _("Cette action n'est pas possible maintenant."))


class JsonSocket(AsyncWebsocketConsumer):
    """Frames are JSON objects with a string `type`, at most 16 KiB; each type maps to one handler.

    Anything else closes this socket with a code of docs/realtime.md and leaves the server serving.
    Refused domain actions answer an `error` frame in French and keep the socket open.
    """

    handlers: dict[str, str] = {}
    # Errors a subclass answers itself, in a receive() that wraps this one.
    passthrough_errors: tuple[type[Exception], ...] = ()

    async def websocket_connect(self, message):
        self.closing = False
        self.heartbeat_task: asyncio.Task | None = None
        self.joined: set[str] = set()
        await super().websocket_connect(message)

    async def refuse(self, code: int) -> None:
        """Accept-then-close, so that the browser sees the close code (a refused handshake hides it)."""
        await self.accept()
        await self.close(code=code)

    async def end(self, code: int) -> None:
        if not self.closing:
            self.closing = True
            await self.close(code=code)

    async def join(self, group: str) -> None:
        if group not in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
            self.joined.add(group)

    async def leave(self, group: str) -> None:
        if group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
            self.joined.discard(group)

    async def send_json(self, frame: dict) -> None:
        if not self.closing:
            await self.send(text_data=json.dumps(frame, separators=(",", ":")))

    def start_heartbeats(self) -> None:
        self.heartbeat_task = asyncio.create_task(self._heartbeats())

    async def _heartbeats(self) -> None:
        while not self.closing:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            await self.send_json({"type": "heartbeat"})

    async def disconnect(self, code):
        self.closing = True
        if self.heartbeat_task is not None:
            self.heartbeat_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.heartbeat_task
        for group in list(self.joined):
            await self.leave(group)

    async def receive(self, text_data=None, bytes_data=None):
        if self.closing:
            return
        try:
            message = self.decode(text_data, bytes_data)
            await getattr(self, self.handlers[message["type"]])(message)
        except self.passthrough_errors:
            raise
        except ProtocolViolation as violation:
            logger.info("closing %s: %s", type(self).__name__, violation.reason)
            await self.end(violation.code)
        except (CallError, CallNotFound, NotAllowed) as error:
            await self.send_json(
                {"type": "error", "code": getattr(error, "code", "") or "refused", "message": refusal_message(error)}
            )
        except DocumentError as error:
            await self.send_json({"type": "error", "code": error.code, "message": error.message})

    def decode(self, text_data, bytes_data) -> dict:
        if text_data is None:
            raise ProtocolViolation(CloseCode.MALFORMED, "binary frames are refused")
        if len(text_data) > MAX_FRAME_BYTES or len(text_data.encode()) > MAX_FRAME_BYTES:
            raise ProtocolViolation(CloseCode.TOO_LARGE, "frame too large")
        try:
            message = json.loads(text_data)
        except ValueError:
            raise ProtocolViolation(CloseCode.MALFORMED, "not JSON") from None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise ProtocolViolation(CloseCode.MALFORMED, "not an object with a type")
        if message["type"] not in self.handlers:
            raise ProtocolViolation(CloseCode.MALFORMED, "unknown type")
        return message

    async def relay_signal(self, message: dict, *, group: str, to: str) -> None:
        try:
            signal = decode_signal(message.get("signal"))
        except SignalError as error:
            raise ProtocolViolation(CloseCode.MALFORMED, error.reason) from None
        await self.channel_layer.group_send(
            group, {"type": SIGNAL_MESSAGE_TYPE, "to": to, "call_id": message["call_id"], "signal": signal}
        )

    async def visiorelais_signal(self, message: dict) -> None:
        if message["to"] == self.role:
            await self.send_json({"type": "signal", "call_id": message["call_id"], "signal": message["signal"]})

    async def forward_document_event(self, event: str, payload: dict) -> bool:
        """Sends a document event of this socket's call as its frame; False when `event` is not one."""
        frame_type = DOCUMENT_FRAMES.get(event)
        if frame_type is None:
            return False
        await self.send_json({"type": frame_type, **payload})
        return True

    async def on_scan_request(self, message: dict) -> None:
        """`scan.request {"call_id"}`: the resident's touch or the agent's remote scan (docs/documents.md)."""
        call_id = field_int(message, "call_id")
        await database_sync_to_async(documents.scan_request)(call_id=call_id, **self.actor())

    def actor(self) -> dict:
        """Who acts through this socket, as the services take it (`kiosk=` or `agent=`)."""
        raise NotImplementedError

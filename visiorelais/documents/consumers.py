"""`/ws/bridge/`: the kiosk bridge's one connection to the server (docs/documents.md, "The bridge socket").

The bridge authenticates with its device token (`Authorization: Bearer`), like its HTTP requests. The socket
relays `bridge.scan` / `bridge.print` (documents services) as `scan.start` / `print.start`, and `bridge.ticket`
(an appointment's ticket, printed outside any call: scheduling services) as `ticket.print`; it turns the end of
the kiosk's call (`kiosk.call` with status ended) into `call.ended`, and hands each report of the bridge to one
service (`ticket.state` to scheduling's `ticket_print_update`, the others to documents services). Frames follow
the rules and close codes of docs/realtime.md (JsonSocket).

`hello` carries, besides the kiosk, `call_id`: the kiosk's call that has not ended, or null. A bridge coming
back after a cut wipes the folders of every other call (it may have missed their `call.ended`).
"""

import logging
import re

from channels.db import database_sync_to_async
from django.core.exceptions import PermissionDenied

from visiorelais.accounts.auth import kiosk_token_from_headers
from visiorelais.accounts.selectors import kiosk_token_is_active, kiosk_token_lookup
from visiorelais.calls.consumers import CloseCode, JsonSocket, ProtocolViolation, field_int
from visiorelais.calls.events import group_for_kiosk
from visiorelais.calls.selectors import kiosk_open_call
from visiorelais.documents import services
from visiorelais.documents.errors import DocumentError, InvalidReport, PrintJobNotFound, ScanRequestNotFound
from visiorelais.documents.events import group_for_bridge
from visiorelais.scheduling.errors import SchedulingRefused
from visiorelais.scheduling.services import ticket_print_update

logger = logging.getLogger(__name__)

REQUEST_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")
SCAN_FAILURES = {"jammed", "no_docs", "cover_open", "no_scanner", "error"}
SCAN_PROGRESS_STATES = {"scanning", "uploading"}
PRINT_STATES = {"queued", "printing", "done", "failed"}
PRINT_REASONS = {"", "out_of_paper", "jammed", "offline", "error"}


def field_count(message: dict, name: str) -> int:
    value = message.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1_000_000:
        raise ProtocolViolation(CloseCode.MALFORMED, f"{name} must be a count")
    return value


def field_choice(message: dict, name: str, choices: set[str], *, default: str | None = None) -> str:
    value = message.get(name, default)
    if not isinstance(value, str) or value not in choices:
        raise ProtocolViolation(CloseCode.MALFORMED, f"{name} must be one of {sorted(choices)}")
    return value


def field_request_id(message: dict) -> str:
    value = message.get("request_id")
    if not isinstance(value, str) or not REQUEST_ID.fullmatch(value):
        raise ProtocolViolation(CloseCode.MALFORMED, "request_id must be a scan request id")
    return value


def field_object(message: dict, name: str) -> dict:
    value = message.get(name)
    if not isinstance(value, dict):
        raise ProtocolViolation(CloseCode.MALFORMED, f"{name} must be an object")
    return value


def fields_print_state(message: dict) -> tuple[str, str]:
    """The (state, reason) of a print report, a call's print job's or a ticket's: a reason with failed only."""
    state = field_choice(message, "state", PRINT_STATES)
    reason = field_choice(message, "reason", PRINT_REASONS, default="")
    if (state == "failed") != bool(reason):
        raise ProtocolViolation(CloseCode.MALFORMED, "a reason goes with failed, and only with it")
    return state, reason


def bearer_token(scope: dict) -> str | None:
    headers = dict(scope.get("headers") or [])
    authorization = headers.get(b"authorization", b"").decode("latin-1")
    return kiosk_token_from_headers(authorization, None) if authorization.startswith("Bearer ") else None


class BridgeConsumer(JsonSocket):
    """`/ws/bridge/`: one kiosk's bridge daemon, authenticated by its device token; it reports only for its kiosk."""

    role = "bridge"
    passthrough_errors = (InvalidReport, ScanRequestNotFound, PrintJobNotFound, PermissionDenied, DocumentError)
    handlers = {
        "health": "on_health",
        "scan.progress": "on_scan_progress",
        "scan.failed": "on_scan_failed",
        "scan.done": "on_scan_done",
        "print.state": "on_print_state",
        "ticket.state": "on_ticket_state",
        "wiped": "on_wiped",
        "heartbeat": "on_heartbeat",
    }

    async def connect(self):
        token = await database_sync_to_async(kiosk_token_lookup)(bearer_token(self.scope))
        if token is None:
            await self.refuse(CloseCode.NOT_AUTHENTICATED)
            return
        self.kiosk = token.kiosk
        self.token_id = token.pk
        self.ended_calls: set[int] = set()
        await self.accept()
        await self.join(group_for_bridge(self.kiosk.pk))
        # The kiosk's own events say when its call ends: the bridge wipes then.
        await self.join(group_for_kiosk(self.kiosk.pk))
        live = await database_sync_to_async(kiosk_open_call)(kiosk=self.kiosk)
        await self.send_json(
            {
                "type": "hello",
                "kiosk": {"code": self.kiosk.code, "label": self.kiosk.label},
                "call_id": live.pk if live else None,
            }
        )
        self.start_heartbeats()

    async def receive(self, text_data=None, bytes_data=None):
        try:
            await super().receive(text_data=text_data, bytes_data=bytes_data)
        except InvalidReport as error:
            logger.info("closing BridgeConsumer: %s", error.message)
            await self.end(CloseCode.MALFORMED)
        except (ScanRequestNotFound, PrintJobNotFound, PermissionDenied):
            # Reporting on a scan or print job of another kiosk (or of none).
            logger.info("closing BridgeConsumer: a report about something not of kiosk %s", self.kiosk.code)
            await self.end(CloseCode.FORBIDDEN)
        except DocumentError as error:
            # A report that crossed another (a print job already finished…): said, not fatal.
            await self.send_json({"type": "error", "code": error.code, "message": error.message})

    async def visiorelais_event(self, message: dict) -> None:
        event, payload = message["event"], message["payload"]
        if event == "bridge.scan":
            await self.send_json(
                {
                    "type": "scan.start",
                    "call_id": payload["call_id"],
                    "request_id": payload["request_id"],
                    "options": payload["options"],
                }
            )
        elif event == "bridge.print":
            await self.send_json(
                {
                    "type": "print.start",
                    "call_id": payload["call_id"],
                    "document_id": payload["document_id"],
                    "job_id": payload["job_id"],
                }
            )
        elif event == "bridge.ticket":
            await self.send_json({"type": "ticket.print", "ticket_id": payload["ticket_id"]})
        elif event == "kiosk.call" and payload["status"] == "ended" and payload["call_id"] not in self.ended_calls:
            self.ended_calls.add(payload["call_id"])
            await self.send_json({"type": "call.ended", "call_id": payload["call_id"]})
        elif event == "credentials.revoked" and payload["token_id"] == self.token_id:
            await self.end(CloseCode.NOT_AUTHENTICATED)

    async def on_health(self, message: dict) -> None:
        scanner = field_object(message, "scanner")
        printer = field_object(message, "printer")
        await database_sync_to_async(services.peripherals_report)(kiosk=self.kiosk, scanner=scanner, printer=printer)

    async def on_scan_progress(self, message: dict) -> None:
        request_id = field_request_id(message)
        field_int(message, "call_id")
        pages = field_count(message, "pages")
        state = field_choice(message, "state", SCAN_PROGRESS_STATES, default="scanning")
        await database_sync_to_async(services.scan_progress)(
            kiosk=self.kiosk, request_id=request_id, pages=pages, state=state
        )

    async def on_scan_failed(self, message: dict) -> None:
        request_id = field_request_id(message)
        field_int(message, "call_id")
        reason = field_choice(message, "reason", SCAN_FAILURES)
        await database_sync_to_async(services.scan_failed)(kiosk=self.kiosk, request_id=request_id, reason=reason)

    async def on_scan_done(self, message: dict) -> None:
        # The upload (X-Scan-Request) has already marked the scan done, with its document: nothing to change.
        field_request_id(message)
        field_int(message, "call_id")
        field_int(message, "document_id")

    async def on_print_state(self, message: dict) -> None:
        job_id = field_int(message, "job_id")
        state, reason = fields_print_state(message)
        await database_sync_to_async(services.print_job_update)(
            kiosk=self.kiosk, job_id=job_id, state=state, reason=reason
        )

    async def on_ticket_state(self, message: dict) -> None:
        ticket_id = field_int(message, "ticket_id")
        state, reason = fields_print_state(message)
        try:
            await database_sync_to_async(ticket_print_update)(
                kiosk=self.kiosk, ticket_id=ticket_id, state=state, reason=reason
            )
        except SchedulingRefused as refusal:
            if refusal.code == "ticket_print_unknown":
                raise PermissionDenied(refusal.text) from None  # another kiosk's ticket: closed as forbidden
            await self.send_json({"type": "error", "code": refusal.code, "message": refusal.text})

    async def on_wiped(self, message: dict) -> None:
        call_id = field_int(message, "call_id")
        files = field_count(message, "files")
        await database_sync_to_async(services.bridge_wiped)(kiosk=self.kiosk, call_id=call_id, files=files)

    async def on_heartbeat(self, message: dict) -> None:
        if not await database_sync_to_async(kiosk_token_is_active)(self.token_id):
            await self.end(CloseCode.NOT_AUTHENTICATED)

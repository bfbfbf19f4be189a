"""`/ws/kiosk/`: one kiosk device, authenticated by its token cookie; it acts only for itself."""

import collections
import logging

from channels.db import database_sync_to_async

from visiorelais.accounts.auth import KIOSK_COOKIE
from visiorelais.accounts.selectors import kiosk_token_is_active, kiosk_token_lookup
from visiorelais.calls import services, wire
from visiorelais.calls.consumers.base import CloseCode, JsonSocket, ProtocolViolation, field_int
from visiorelais.calls.consumers.fanout import PartnerStateFrames, kiosk_fanout
from visiorelais.calls.consumers.kiosk_scheduling import KioskSchedulingHandlers
from visiorelais.calls.errors import CallNotFound
from visiorelais.calls.events import group_for_kiosk, group_for_station
from visiorelais.calls.models import Call
from visiorelais.calls.selectors import call_get_for_kiosk, kiosk_snapshot
from visiorelais.documents.services import receipt_print

logger = logging.getLogger(__name__)


class KioskConsumer(KioskSchedulingHandlers, JsonSocket):
    """The kiosk screen's socket (docs/realtime.md): partners live, its call, signaling, scans."""

    role = "kiosk"
    handlers = {
        "call.request": "on_call_request",
        "call.give_up": "on_call_give_up",
        "call.hangup": "on_call_hangup",
        "call.rate": "on_call_rate",
        "signal": "on_signal",
        "heartbeat": "on_heartbeat",
        "resync": "on_resync",
        "help.request": "on_help_request",
        "scan.request": "on_scan_request",
        "appointment.check_in": "on_appointment_check_in",
        "callback.request": "on_callback_request",
        "receipt.print": "on_receipt_print",
    }

    def actor(self) -> dict:
        return {"kiosk": self.kiosk}

    async def connect(self):
        raw = self.scope.get("cookies", {}).get(KIOSK_COOKIE)
        token = await database_sync_to_async(kiosk_token_lookup)(raw)
        if token is None:
            await self.refuse(CloseCode.NOT_AUTHENTICATED)
            return
        self.kiosk = token.kiosk
        self.token_id = token.pk
        self.partner_modes: dict[int, str] = {}
        # The partner changes that come while a snapshot is being made: sent after it, if newer.
        self.held_partner_states: collections.deque[PartnerStateFrames] | None = None
        await self.accept()
        await self.join(group_for_kiosk(self.kiosk.pk))
        await database_sync_to_async(services.presence_heartbeat)(kiosk=self.kiosk)
        await self.send_snapshot()
        self.start_heartbeats()

    async def send_snapshot(self) -> None:
        """The snapshot, then, in the order they came, the partner changes that came while it was made (or while
        those were being sent) and are newer than it."""
        held = self.held_partner_states = collections.deque()
        try:
            frame = await database_sync_to_async(self._snapshot_frame)()
            self.partner_modes = {partner["id"]: partner["mode"] for partner in frame["partners"]}
            await kiosk_fanout().subscribe(self, set(self.partner_modes))
            await self.send_json(frame)
            seqs = {partner["id"]: partner["seq"] for partner in frame["partners"]}
            while held:
                change = held.popleft()
                if change.partner_id in seqs and change.seq > seqs[change.partner_id]:
                    await self.send_partner_state(change)
        finally:
            self.held_partner_states = None

    async def deliver_partner_state(self, frames: PartnerStateFrames) -> None:
        """A change of one of this kiosk's partners, from the process's fan-out (consumers/fanout.py)."""
        if self.held_partner_states is not None:
            self.held_partner_states.append(frames)
        else:
            await self.send_partner_state(frames)

    async def send_partner_state(self, frames: PartnerStateFrames) -> None:
        mode = self.partner_modes.get(frames.partner_id)
        if mode is not None and not self.closing:
            await self.send(text_data=frames.text(mode))

    async def disconnect(self, code):
        if hasattr(self, "partner_modes"):
            kiosk_fanout().unsubscribe(self)
        await super().disconnect(code)

    def _snapshot_frame(self) -> dict:
        return wire.kiosk_snapshot_frame(kiosk=self.kiosk, snapshot=kiosk_snapshot(kiosk=self.kiosk))

    async def visiorelais_event(self, message: dict) -> None:
        event, payload = message["event"], message["payload"]
        if await self.forward_document_event(event, payload):
            return
        if event == "kiosk.call":
            await self.send_json(
                {
                    "type": "call",
                    "seq": payload["seq"],
                    "partner_id": payload["partner_id"],
                    "call": wire.kiosk_call(payload),
                }
            )
        elif event == "credentials.revoked" and payload["token_id"] == self.token_id:
            await self.end(CloseCode.NOT_AUTHENTICATED)

    async def on_call_request(self, message: dict) -> None:
        partner_id = field_int(message, "partner_id")
        topic_id = field_int(message, "topic_id", optional=True)
        await database_sync_to_async(services.call_request)(kiosk=self.kiosk, partner_id=partner_id, topic_id=topic_id)

    async def on_call_give_up(self, message: dict) -> None:
        call_id = field_int(message, "call_id")
        await database_sync_to_async(services.call_give_up)(kiosk=self.kiosk, call_id=call_id)

    async def on_call_hangup(self, message: dict) -> None:
        call_id = field_int(message, "call_id")
        await database_sync_to_async(services.call_end)(call_id=call_id, kiosk=self.kiosk)

    async def on_call_rate(self, message: dict) -> None:
        call_id = field_int(message, "call_id")
        rating = field_int(message, "rating")
        await database_sync_to_async(services.call_rate)(kiosk=self.kiosk, call_id=call_id, rating=rating)

    async def on_signal(self, message: dict) -> None:
        call_id = field_int(message, "call_id")
        station_id = await database_sync_to_async(self._connected_station)(call_id)
        await self.relay_signal(message, group=group_for_station(station_id), to="agent")

    def _connected_station(self, call_id: int) -> int:
        try:
            call = call_get_for_kiosk(kiosk=self.kiosk, call_id=call_id)
        except CallNotFound:
            raise ProtocolViolation(CloseCode.FORBIDDEN, "signal for a call of another kiosk") from None
        if call.status != Call.Status.CONNECTED:
            raise ProtocolViolation(CloseCode.FORBIDDEN, "signal outside a connected call")
        return call.station_id

    async def on_heartbeat(self, message: dict) -> None:
        if not await database_sync_to_async(self._still_enrolled)():
            await self.end(CloseCode.NOT_AUTHENTICATED)

    def _still_enrolled(self) -> bool:
        if not kiosk_token_is_active(self.token_id):
            return False
        services.presence_heartbeat(kiosk=self.kiosk)
        return True

    async def on_resync(self, message: dict) -> None:
        await self.send_snapshot()

    async def on_receipt_print(self, message: dict) -> None:
        """`receipt.print {"call_id"}`: the resident asks for the call's receipt on paper (docs/documents.md)."""
        call_id = field_int(message, "call_id")
        await database_sync_to_async(receipt_print)(kiosk=self.kiosk, call_id=call_id)

    async def on_help_request(self, message: dict) -> None:
        # The kiosk shows the site's staff and phone itself; alerting host agents comes with their screen.
        logger.info("help requested at kiosk %s", self.kiosk.code)

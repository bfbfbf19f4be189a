"""The two WebSockets of the live call: the kiosk's and the agent console's (docs/realtime.md).

Consumers only authenticate, validate frames, call one service or selector, and relay. The database is the
record; the channel layer only carries broadcasts (published by the services after commit) and signaling.
"""

import asyncio
import contextlib
import json
import logging
from importlib import import_module

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils.translation import gettext as _

from visiorelais.accounts.auth import KIOSK_COOKIE
from visiorelais.accounts.models import PARTNER_ROLES, User
from visiorelais.accounts.selectors import kiosk_token_is_active, kiosk_token_lookup
from visiorelais.calls import services, wire
from visiorelais.calls.errors import CallError, CallNotFound, NotAllowed
from visiorelais.calls.events import (
    group_for_kiosk,
    group_for_partner,
    group_for_partner_kiosks,
    group_for_session,
    group_for_station,
)
from visiorelais.calls.models import Call, StationPresence
from visiorelais.calls.selectors import (
    call_get_for_agent,
    call_get_for_kiosk,
    kiosk_snapshot,
    partner_queue_snapshot,
    partner_waiting_calls,
    queue_call_entry,
)
from visiorelais.calls.signaling import SignalError, decode_signal

logger = logging.getLogger(__name__)
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore

MAX_FRAME_BYTES = 16 * 1024
HEARTBEAT_SECONDS = 10.0
SIGNAL_MESSAGE_TYPE = "visiorelais.signal"


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
        except ProtocolViolation as violation:
            logger.info("closing %s: %s", type(self).__name__, violation.reason)
            await self.end(violation.code)
        except (CallError, CallNotFound, NotAllowed) as error:
            await self.send_json(
                {"type": "error", "code": getattr(error, "code", "") or "refused", "message": refusal_message(error)}
            )

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


class KioskConsumer(JsonSocket):
    """`/ws/kiosk/`: one kiosk device, authenticated by its token cookie; it acts only for itself."""

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
    }

    async def connect(self):
        raw = self.scope.get("cookies", {}).get(KIOSK_COOKIE)
        token = await database_sync_to_async(kiosk_token_lookup)(raw)
        if token is None:
            await self.refuse(CloseCode.NOT_AUTHENTICATED)
            return
        self.kiosk = token.kiosk
        self.token_id = token.pk
        self.partner_modes: dict[int, str] = {}
        await self.accept()
        await self.join(group_for_kiosk(self.kiosk.pk))
        await database_sync_to_async(services.presence_heartbeat)(kiosk=self.kiosk)
        await self.send_snapshot()
        self.start_heartbeats()

    async def send_snapshot(self) -> None:
        frame = await database_sync_to_async(self._snapshot_frame)()
        modes = {partner["id"]: partner["mode"] for partner in frame["partners"]}
        for partner_id in set(self.partner_modes) - set(modes):
            await self.leave(group_for_partner_kiosks(partner_id))
        for partner_id in modes:
            await self.join(group_for_partner_kiosks(partner_id))
        self.partner_modes = modes
        await self.send_json(frame)

    def _snapshot_frame(self) -> dict:
        return wire.kiosk_snapshot_frame(kiosk=self.kiosk, snapshot=kiosk_snapshot(kiosk=self.kiosk))

    async def visiorelais_event(self, message: dict) -> None:
        event, payload = message["event"], message["payload"]
        if event == "partner.state" and payload["partner_id"] in self.partner_modes:
            mode = self.partner_modes[payload["partner_id"]]
            await self.send_json(
                {"type": "partner", "seq": payload["seq"], "partner": wire.partner_live(payload, mode=mode)}
            )
        elif event == "kiosk.call":
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

    async def on_help_request(self, message: dict) -> None:
        # The kiosk shows the site's staff and phone itself; alerting host agents comes with their screen.
        logger.info("help requested at kiosk %s", self.kiosk.code)


class ConsoleConsumer(JsonSocket):
    """`/ws/console/`: a partner agent, authenticated by their session; sees and answers only their partner."""

    role = "agent"
    handlers = {
        "station.take": "on_station_take",
        "station.available": "on_station_available",
        "station.pause": "on_station_pause",
        "station.leave": "on_station_leave",
        "call.accept": "on_call_accept",
        "call.decline": "on_call_decline",
        "call.hangup": "on_call_hangup",
        "call.wrapup": "on_call_wrapup",
        "signal": "on_signal",
        "heartbeat": "on_heartbeat",
        "resync": "on_resync",
    }

    async def connect(self):
        user = self.scope.get("user")
        session = self.scope.get("session")
        if (
            user is None
            or not user.is_authenticated
            or not user.is_active
            or user.role not in PARTNER_ROLES
            or not user.partner_id
            or session is None
            or not session.session_key
        ):
            await self.refuse(CloseCode.NOT_AUTHENTICATED)
            return
        self.agent = user
        self.session_key = session.session_key
        self.partner_id = user.partner_id
        self.station_id: int | None = None
        self.call_id: int | None = None
        await self.accept()
        await self.join(group_for_partner(self.partner_id))
        await self.join(group_for_session(self.session_key))
        await self.send_snapshot()
        self.start_heartbeats()

    async def seat(self, station_id: int | None) -> None:
        """Follows the agent's station: its group carries offers, calls and signaling for this console."""
        if station_id == self.station_id:
            return
        if self.station_id is not None:
            await self.leave(group_for_station(self.station_id))
        self.station_id = station_id
        if station_id is not None:
            await self.join(group_for_station(station_id))

    async def send_snapshot(self) -> None:
        frame, station_id = await database_sync_to_async(self._snapshot_frame)()
        await self.seat(station_id)
        await self.send_json(frame)

    def _snapshot_frame(self) -> tuple[dict, int | None]:
        partner = self.agent.partner
        snapshot = partner_queue_snapshot(partner=partner)
        stations = [wire.station(entry) for entry in snapshot["stations"]]
        mine = next((s for s in stations if s["agent_id"] == self.agent.pk and s["state"] != "offline"), None)
        call = None
        if mine is not None:
            live = (
                Call.objects.select_related("kiosk__site", "topic")
                .filter(station_id=mine["id"], status__in=Call.LIVE_STATUSES)
                .first()
            )
            if live is None and mine["state"] == StationPresence.State.WRAP_UP:
                live = (
                    Call.objects.select_related("kiosk__site", "topic")
                    .filter(station_id=mine["id"], agent=self.agent, status=Call.Status.ENDED)
                    .order_by("-ended_at")
                    .first()
                )
            call = wire.agent_call(live) if live else None
            self.call_id = live.pk if live else None
        frame = {
            "type": "snapshot",
            "seq": snapshot["seq"],
            "agent": {"id": self.agent.pk, "name": self.agent.get_full_name() or self.agent.get_username()},
            "partner": {"id": partner.pk, "short_name": partner.short_name, "seq": snapshot["seq"]},
            "stations": stations,
            "my_station": mine,
            "queue": [wire.waiting(entry) for entry in snapshot["calls"]],
            "call": call,
        }
        return frame, mine["id"] if mine else None

    def _queue(self) -> list[dict]:
        calls = partner_waiting_calls(partner_id=self.partner_id).select_related("kiosk__site", "topic")
        return [wire.waiting(queue_call_entry(call=call)) for call in calls]

    def _agent_call(self, call_id: int) -> dict:
        call = Call.objects.select_related("kiosk__site", "topic").get(pk=call_id, partner_id=self.partner_id)
        return wire.agent_call(call)

    async def visiorelais_event(self, message: dict) -> None:
        event, payload = message["event"], message["payload"]
        if event == "queue.changed":
            await self.on_queue_changed(payload)
        elif event == "station.state" and payload["station_id"] == self.station_id:
            await self.on_my_station(payload)
        elif event == "session.ended":
            await self.end(CloseCode.NOT_AUTHENTICATED)

    async def on_queue_changed(self, payload: dict) -> None:
        seq = payload["seq"]
        queue_changed = False
        for op in payload["ops"]:
            if op["op"] == "station.upsert":
                station = wire.station(op["station"])
                await self.send_json({"type": "station", "seq": seq, "station": station})
            else:
                queue_changed = True
        if queue_changed:
            queue = await database_sync_to_async(self._queue)()
            await self.send_json({"type": "queue", "seq": seq, "queue": queue})

    async def on_my_station(self, entry: dict) -> None:
        """Turns the station's own state into what the console acts on: an offer, a call, an end, a notice."""
        state, call_id = entry["state"], entry["call_id"]
        if state == StationPresence.State.RINGING and call_id:
            self.call_id = call_id
            call = await database_sync_to_async(self._agent_call)(call_id)
            await self.send_json({"type": "offer", "call": call})
        elif state == StationPresence.State.BUSY and call_id:
            self.call_id = call_id
            call = await database_sync_to_async(self._agent_call)(call_id)
            await self.send_json({"type": "call", "call": call})
        elif self.call_id is not None:
            # The call this station had is over for it: ended (wrap-up), or gone back to the queue.
            call = await database_sync_to_async(self._agent_call)(self.call_id)
            await self.send_json({"type": "call", "call": call})
            if state != StationPresence.State.WRAP_UP:
                self.call_id = None
        if state == StationPresence.State.PAUSED and entry["pause_reason"] == StationPresence.PauseReason.RING_TIMEOUT:
            await self.send_json(
                {
                    "type": "notice",
                    "code": "ring_timeout",
                    "message": _(
                        "Vous n'avez pas répondu à temps : l'appel est repassé en tête de file "
                        "et votre poste est en pause."
                    ),
                }
            )
        elif state == StationPresence.State.OFFLINE:
            if entry.get("agent_id") in (None, self.agent.pk):
                await self.send_json(
                    {
                        "type": "notice",
                        "code": "station_lost",
                        "message": _("Votre poste a été libéré : reprenez un poste pour recevoir des appels."),
                    }
                )
            await self.seat(None)

    async def on_station_take(self, message: dict) -> None:
        station_id = field_int(message, "station_id")
        presence = await database_sync_to_async(services.station_take)(agent=self.agent, station_id=station_id)
        await self.seat(presence.station_id)

    async def on_station_available(self, message: dict) -> None:
        await database_sync_to_async(services.station_set_available)(agent=self.agent)

    async def on_station_pause(self, message: dict) -> None:
        await database_sync_to_async(services.station_pause)(agent=self.agent)

    async def on_station_leave(self, message: dict) -> None:
        await database_sync_to_async(services.station_leave)(agent=self.agent)
        await self.seat(None)

    async def on_call_accept(self, message: dict) -> None:
        call_id = field_int(message, "call_id")
        await database_sync_to_async(services.call_accept)(agent=self.agent, call_id=call_id)

    async def on_call_decline(self, message: dict) -> None:
        call_id = field_int(message, "call_id")
        await database_sync_to_async(services.call_decline)(agent=self.agent, call_id=call_id)

    async def on_call_hangup(self, message: dict) -> None:
        call_id = field_int(message, "call_id")
        await database_sync_to_async(services.call_end)(call_id=call_id, agent=self.agent)

    async def on_call_wrapup(self, message: dict) -> None:
        call_id = field_int(message, "call_id")
        topic_id = field_int(message, "topic_id", optional=True)
        outcome = message.get("outcome")
        if not isinstance(outcome, str):
            raise ProtocolViolation(CloseCode.MALFORMED, "outcome must be a string")
        await database_sync_to_async(services.call_wrap_up)(
            agent=self.agent, call_id=call_id, outcome=outcome, topic_id=topic_id
        )

    async def on_signal(self, message: dict) -> None:
        call_id = field_int(message, "call_id")
        kiosk_id = await database_sync_to_async(self._connected_kiosk)(call_id)
        await self.relay_signal(message, group=group_for_kiosk(kiosk_id), to="kiosk")

    def _connected_kiosk(self, call_id: int) -> int:
        try:
            call = call_get_for_agent(agent=self.agent, call_id=call_id)
        except CallNotFound:
            raise ProtocolViolation(CloseCode.FORBIDDEN, "signal for a call of another partner") from None
        if call.status != Call.Status.CONNECTED or call.agent_id != self.agent.pk:
            raise ProtocolViolation(CloseCode.FORBIDDEN, "signal outside one's connected call")
        return call.kiosk_id

    async def on_heartbeat(self, message: dict) -> None:
        if not await database_sync_to_async(self._still_logged_in)():
            await self.end(CloseCode.NOT_AUTHENTICATED)

    def _still_logged_in(self) -> bool:
        session = SessionStore(session_key=self.session_key)
        if session.get(SESSION_KEY) != str(self.agent.pk):
            return False
        # scope["user"] is a lazy wrapper: type(self.agent) is not the model, so name the model itself.
        if not User.objects.filter(pk=self.agent.pk, is_active=True, partner_id=self.partner_id).exists():
            return False
        services.presence_heartbeat(agent=self.agent)
        return True

    async def on_resync(self, message: dict) -> None:
        await self.send_snapshot()

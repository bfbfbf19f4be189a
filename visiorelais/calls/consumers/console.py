"""`/ws/console/`: a partner agent, authenticated by their session; sees and answers only their partner."""

from importlib import import_module

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils.translation import gettext as _

from visiorelais.accounts.models import PARTNER_ROLES, User
from visiorelais.calls import services, wire
from visiorelais.calls.consumers.base import DOCUMENT_FRAMES, CloseCode, JsonSocket, ProtocolViolation, field_int
from visiorelais.calls.errors import CallNotFound
from visiorelais.calls.events import group_for_kiosk, group_for_partner, group_for_session, group_for_station
from visiorelais.calls.models import Call, StationPresence
from visiorelais.calls.selectors import (
    call_get_for_agent,
    partner_queue_snapshot,
    partner_waiting_calls,
    queue_call_entry,
)
from visiorelais.documents.selectors import call_documents_for_agent
from visiorelais.scheduling.selectors import callbacks_summary

SessionStore = import_module(settings.SESSION_ENGINE).SessionStore


class ConsoleConsumer(JsonSocket):
    """The agent console's socket (docs/realtime.md): station, queue, offers, the call, signaling, documents."""

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
        "scan.request": "on_scan_request",
    }

    def actor(self) -> dict:
        return {"agent": self.agent}

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
            if call is not None:
                # A reloaded console gets the call's documents back (docs/documents.md).
                call["documents"] = call_documents_for_agent(agent=self.agent, call_id=live.pk)
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
            # The partner's callback requests waiting at /rappels/ (docs/scheduling.md); `callbacks` frames follow.
            "callbacks": callbacks_summary(partner_id=partner.pk),
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
        if event in DOCUMENT_FRAMES:
            # Document events reach this console through its station's group: they are its call's.
            await self.forward_document_event(event, payload)
        elif event == "queue.changed":
            await self.on_queue_changed(payload)
        elif event == "station.state" and payload["station_id"] == self.station_id:
            await self.on_my_station(payload)
        elif event == "session.ended":
            await self.end(CloseCode.NOT_AUTHENTICATED)
        elif event == "callbacks.changed":
            await self.send_json({"type": "callbacks", "callbacks": {k: payload[k] for k in ("pending", "open")}})

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

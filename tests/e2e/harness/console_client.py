"""An agent's console without a browser: the `/ws/console/` protocol of docs/realtime.md over `websockets`.

It runs on the suite's asyncio loop thread (`aio`), as the aiortc peer does, and is driven synchronously from the
test: `send(frame)`, `expect(predicate)`. Once `relay_to(peer, call_id)` is called, the kiosk's signals (answer,
candidates, restart) are applied to the aiortc peer on the loop as they arrive, and `offer()` sends the peer's
offer: the agent's side is the offerer, as in the app.
"""

import asyncio
import json
import queue
import time
from collections.abc import Callable

from aiortc import RTCSessionDescription
from aiortc.sdp import candidate_from_sdp
from websockets.asyncio.client import ClientConnection, connect

from tests.e2e.harness.peers import AiortcPeer, AsyncioThread

HEARTBEAT_SECONDS = 10.0


def session_cookie_for(user) -> str:
    """A `name=value` Cookie header for a Django session of `user`, written to the database the server shares."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


class ConsoleClient:
    """One `/ws/console/` connection, authenticated by a session cookie, with the Origin of the live server."""

    def __init__(self, aio: AsyncioThread, *, ws_url: str, origin: str, cookie: str):
        self.aio = aio
        self.frames: queue.Queue[dict] = queue.Queue()
        self.seen: list[dict] = []
        self.peer: AiortcPeer | None = None
        self.call_id: int | None = None
        self.signals_applied = 0
        self._early_signals: list[dict] = []
        self.ws: ClientConnection = aio.run(self._connect(f"{ws_url}/ws/console/", origin, cookie))
        self._tasks = aio.run(self._start())

    @staticmethod
    async def _connect(url: str, origin: str, cookie: str) -> ClientConnection:
        return await connect(url, origin=origin, additional_headers={"Cookie": cookie}, proxy=None)

    async def _start(self) -> list[asyncio.Task]:
        return [asyncio.create_task(self._read()), asyncio.create_task(self._heartbeats())]

    async def _read(self) -> None:
        async for raw in self.ws:
            frame = json.loads(raw)
            if frame.get("type") == "signal" and frame.get("call_id") == self.call_id and self.peer is not None:
                await self._apply(frame["signal"])
            elif frame.get("type") == "signal":
                self._early_signals.append(frame)
            elif frame.get("type") != "heartbeat":
                self.frames.put(frame)

    async def _heartbeats(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            await self.ws.send(json.dumps({"type": "heartbeat"}))

    async def _apply(self, signal: dict) -> None:
        pc = self.peer.pc
        if signal["kind"] == "answer":
            await pc.setRemoteDescription(RTCSessionDescription(sdp=signal["sdp"], type="answer"))
        elif signal["kind"] == "candidate" and signal.get("candidate"):
            candidate = candidate_from_sdp(signal["candidate"].removeprefix("candidate:"))
            candidate.sdpMid = signal.get("sdpMid")
            candidate.sdpMLineIndex = signal.get("sdpMLineIndex")
            await pc.addIceCandidate(candidate)
        elif signal["kind"] == "restart":
            await pc.setLocalDescription(await pc.createOffer())
            await self._send_signal({"kind": "offer", "sdp": pc.localDescription.sdp})
        self.signals_applied += 1

    async def _send_signal(self, signal: dict) -> None:
        await self.ws.send(json.dumps({"type": "signal", "call_id": self.call_id, "signal": signal}))

    def send(self, frame: dict) -> None:
        self.aio.run(self.ws.send(json.dumps(frame)))

    def expect(self, predicate: Callable[[dict], bool], *, timeout: float = 10.0, what: str = "") -> dict:
        """The next frame (heartbeats and signals aside) for which `predicate` is true; earlier ones are skipped."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                frame = self.frames.get(timeout=max(left, 0.001))
            except queue.Empty:
                raise AssertionError(
                    f"no console frame {what or predicate} within {timeout:g} s; seen: {self.seen[-10:]}"
                ) from None
            self.seen.append(frame)
            if predicate(frame):
                return frame

    def relay_to(self, peer: AiortcPeer, call_id: int) -> None:
        """From now on, the kiosk's signals for `call_id` go to `peer` (including any that came before)."""

        async def attach():
            self.peer, self.call_id = peer, call_id
            for frame in self._early_signals:
                if frame.get("call_id") == call_id:
                    await self._apply(frame["signal"])
            self._early_signals.clear()

        self.aio.run(attach())

    def offer(self) -> None:
        """The agent's side offers (its SDP carries every candidate aiortc gathered)."""
        self.aio.run(self._send_signal({"kind": "offer", "sdp": self.peer.create_offer()["sdp"]}))

    def close(self) -> None:
        async def close():
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await self.ws.close()

        if not self.aio.loop.is_closed():
            self.aio.run(close())


__all__ = ["ConsoleClient", "session_cookie_for"]

"""WebSocket clients of the live call as the screens behave (docs/realtime.md): a kiosk and an agent console.

A client keeps one socket to one server, queues the frames it receives, sends a heartbeat every few seconds while
connected, asks for a fresh snapshot (`resync`) when it sees a gap in a partner's `seq` (the channel layer
delivers at most once), and, when `reconnect` is set, reconnects after a drop with the protocol's backoff
(0.5 s doubling to 15 s, ±30 %), taking the fresh snapshot the server sends. Every wait has a deadline.
"""

import asyncio
import contextlib
import json
import random
import time
from collections.abc import Callable

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from visiorelais.accounts.auth import KIOSK_COOKIE

ORIGIN = "http://127.0.0.1"
HEARTBEAT_SECONDS = 5.0
MAX_CONNECT_ATTEMPTS = 30


def kiosk_cookie(raw_token: str) -> str:
    return f"{KIOSK_COOKIE}={raw_token}"


def session_cookie(session_key: str) -> str:
    return f"sessionid={session_key}"


def backoff_delays():
    """0.5 s doubling to 15 s, each ±30 % (docs/realtime.md)."""
    delay = 0.5
    while True:
        yield delay * random.uniform(0.7, 1.3)
        delay = min(delay * 2, 15.0)


class Client:
    """One screen's socket to `url` (ws://127.0.0.1:PORT/ws/kiosk/ or …/ws/console/), authenticated by `cookie`."""

    def __init__(self, url: str, cookie: str, *, name: str, reconnect: bool = False):
        self.url = url
        self.cookie = cookie
        self.name = name
        self.reconnect = reconnect
        self.frames: asyncio.Queue[dict] = asyncio.Queue()
        self.seen: list[dict] = []
        self.connections = 0
        self.closes: list[int | None] = []
        self.resyncs = 0
        self.last_seq: dict[int, int] = {}
        self._socket: ClientConnection | None = None
        self._connected = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._stopping = False

    async def start(self, *, timeout: float = 15.0) -> dict:
        """Connects and returns the snapshot the server sends first."""
        self._task = asyncio.create_task(self._run(), name=f"client {self.name}")
        return await self.expect(lambda f: f["type"] == "snapshot", timeout=timeout)

    async def _run(self) -> None:
        delays = backoff_delays()
        for _ in range(MAX_CONNECT_ATTEMPTS):
            try:
                async with connect(
                    self.url,
                    origin=ORIGIN,
                    additional_headers={"Cookie": self.cookie},
                    proxy=None,
                    open_timeout=10,
                    ping_interval=None,
                ) as socket:
                    self._socket = socket
                    self.connections += 1
                    self._connected.set()
                    delays = backoff_delays()
                    heartbeats = asyncio.create_task(self._heartbeats(socket))
                    try:
                        async for message in socket:
                            frame = json.loads(message)
                            self.seen.append(frame)
                            if self._gap(frame):
                                self.resyncs += 1
                                await socket.send(json.dumps({"type": "resync"}))
                            self.frames.put_nowait(frame)
                    finally:
                        heartbeats.cancel()
                        self._connected.clear()
                        self.closes.append(socket.close_code)
            except (OSError, ConnectionClosed, InvalidHandshake, TimeoutError):
                pass
            if self._stopping or not self.reconnect:
                return
            await asyncio.sleep(next(delays))

    def _gap(self, frame: dict) -> bool:
        """Follows each partner's `seq` (docs/realtime.md, sequence numbers); True when one was skipped."""
        kind = frame["type"]
        if kind == "snapshot":
            if "partners" in frame:
                self.last_seq = {partner["id"]: partner["seq"] for partner in frame["partners"]}
            else:
                self.last_seq = {frame["partner"]["id"]: frame["seq"]}
            return False
        if kind == "partner":
            partner_id = frame["partner"]["id"]
        elif kind in ("station", "queue") and len(self.last_seq) == 1:
            partner_id = next(iter(self.last_seq))
        else:
            return False
        last = self.last_seq.get(partner_id, frame["seq"] - 1)
        self.last_seq[partner_id] = max(last, frame["seq"])
        return frame["seq"] > last + 1

    async def next_frame(self, *, timeout: float) -> dict | None:
        """The next received frame, or None when none came within `timeout` seconds."""
        try:
            return await asyncio.wait_for(self.frames.get(), timeout)
        except TimeoutError:
            return None

    async def _heartbeats(self, socket: ClientConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            while True:
                await asyncio.sleep(HEARTBEAT_SECONDS)
                await socket.send(json.dumps({"type": "heartbeat"}))

    async def send(self, frame: dict, *, timeout: float = 30.0) -> None:
        """Sends `frame` on the current socket, waiting for a (re)connection if there is none yet."""
        await asyncio.wait_for(self._connected.wait(), timeout)
        await self._socket.send(json.dumps(frame))

    async def expect(self, predicate: Callable[[dict], bool], *, timeout: float = 15.0, limit: int = 500) -> dict:
        """The next received frame for which `predicate` holds; frames before it are dropped. AssertionError
        after `timeout` seconds or `limit` frames, with the frames seen."""
        deadline = time.monotonic() + timeout
        for _ in range(limit):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                frame = await asyncio.wait_for(self.frames.get(), remaining)
            except TimeoutError:
                break
            if predicate(frame):
                return frame
        raise AssertionError(f"{self.name}: expected frame never came; last frames: {self.seen[-8:]}")

    async def stop(self) -> None:
        self._stopping = True
        if self._socket is not None:
            await self._socket.close()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(self._task, 15)


def is_call(status: str) -> Callable[[dict], bool]:
    return lambda frame: frame["type"] == "call" and frame["call"]["status"] == status

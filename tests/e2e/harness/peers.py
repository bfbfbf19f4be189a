"""An aiortc peer for the browser suite: it can play one side of a call (the agent) against a real Chromium page.

The browser suite is synchronous (Playwright's sync API), so aiortc runs on its own asyncio loop in a thread
(`AsyncioThread`); `AiortcPeer`'s methods are synchronous and block until the loop has done the work.
Run any other coroutine on that loop with `peer.run(coro)`, e.g. a `websockets` client doing the signaling.
"""

import asyncio
import fractions
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import av
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)
from aiortc.mediastreams import MediaStreamError
from aiortc.sdp import candidate_from_sdp

T = TypeVar("T")


class AsyncioThread:
    """An asyncio loop running in a daemon thread; `run(coro)` executes a coroutine there and waits for it."""

    def __init__(self, name: str = "aiortc"):
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], *, timeout: float = 30.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


class PatternVideoTrack(VideoStreamTrack):
    """A small moving test pattern (a bright bar sweeping across a grey frame), paced by aiortc at 30 frames/s."""

    def __init__(self, width: int = 320, height: int = 240):
        super().__init__()
        self.width, self.height = width, height
        self._index = 0

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        frame = av.VideoFrame(self.width, self.height, "yuv420p")
        x = (self._index * 8) % self.width
        row = bytearray([96]) * self.width
        row[x : x + 16] = bytes([235]) * len(row[x : x + 16])
        # Plane rows may be padded (line_size >= width): write each row at its stride.
        luma = frame.planes[0]
        padding = bytes(luma.line_size - self.width)
        luma.update((bytes(row) + padding) * self.height)
        for plane in frame.planes[1:]:
            plane.update((bytes([128]) * plane.width + bytes(plane.line_size - plane.width)) * plane.height)
        self._index += 1
        frame.pts, frame.time_base = pts, time_base or fractions.Fraction(1, 90000)
        return frame


def rtc_configuration(ice_servers: list[dict]) -> RTCConfiguration:
    """RTCIceServer dictionaries (as `ice_servers_for` returns them) made into aiortc's configuration.

    Always explicit: given no configuration, aiortc would use a public STUN server.
    """
    return RTCConfiguration(
        iceServers=[
            RTCIceServer(urls=server["urls"], username=server.get("username"), credential=server.get("credential"))
            for server in ice_servers
        ]
    )


class AiortcPeer:
    """One aiortc RTCPeerConnection that sends a test pattern (unless `send_video=False`) and counts the video
    frames it receives. Descriptions travel as `{"type", "sdp"}` dictionaries, as browsers give them; aiortc
    gathers all its candidates before returning a description, so its SDP carries them (no trickle needed),
    while the other side's trickled candidates are accepted by `add_ice_candidate`.

    aiortc skips 127.0.0.1 when gathering, so it needs another loopback address (127.0.0.2, set up by
    `make test-e2e`) to have a host candidate in a loopback-only namespace.
    """

    def __init__(self, aio: AsyncioThread, *, ice_servers: list[dict], send_video: bool = True):
        self.aio = aio
        self.frames_received = 0
        self.received_sizes: set[tuple[int, int]] = set()
        self._consumers: list[asyncio.Task] = []
        self.pc: RTCPeerConnection = self.run(self._create(ice_servers, send_video))

    def run(self, coro: Coroutine[Any, Any, T], *, timeout: float = 30.0) -> T:
        return self.aio.run(coro, timeout=timeout)

    async def _create(self, ice_servers: list[dict], send_video: bool) -> RTCPeerConnection:
        pc = RTCPeerConnection(configuration=rtc_configuration(ice_servers))
        if send_video:
            pc.addTrack(PatternVideoTrack())
        else:
            pc.addTransceiver("video", direction="recvonly")

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            if track.kind == "video":
                self._consumers.append(asyncio.ensure_future(self._consume(track)))

        return pc

    async def _consume(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            self.frames_received += 1
            self.received_sizes.add((frame.width, frame.height))

    @property
    def connection_state(self) -> str:
        return self.pc.connectionState

    @property
    def ice_connection_state(self) -> str:
        return self.pc.iceConnectionState

    def create_offer(self) -> dict:
        async def offer():
            await self.pc.setLocalDescription(await self.pc.createOffer())
            return self._local()

        return self.run(offer())

    def answer(self, offer: dict) -> dict:
        """Applies the remote offer and returns the answer (with every local candidate in it)."""

        async def answer():
            await self.pc.setRemoteDescription(RTCSessionDescription(sdp=offer["sdp"], type=offer["type"]))
            await self.pc.setLocalDescription(await self.pc.createAnswer())
            return self._local()

        return self.run(answer())

    def accept_answer(self, answer: dict) -> None:
        self.run(self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type=answer["type"])))

    def add_ice_candidate(self, signal: dict) -> None:
        """A browser candidate as it travels (`{"candidate", "sdpMid", "sdpMLineIndex"}`); "" ends them."""
        line = signal.get("candidate") or ""
        if not line:
            return  # aiortc needs no end-of-candidates marker.
        candidate = candidate_from_sdp(line.removeprefix("candidate:"))
        candidate.sdpMid = signal.get("sdpMid")
        candidate.sdpMLineIndex = signal.get("sdpMLineIndex")
        self.run(self.pc.addIceCandidate(candidate))

    def _local(self) -> dict:
        return {"type": self.pc.localDescription.type, "sdp": self.pc.localDescription.sdp}

    def close(self) -> None:
        async def close():
            await self.pc.close()
            for task in self._consumers:
                task.cancel()
            await asyncio.gather(*self._consumers, return_exceptions=True)

        if not self.aio.loop.is_closed():
            self.run(close())

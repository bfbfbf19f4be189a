"""One listener per server process carries each partner's changes to that process's kiosk sockets.

A partner's change goes to every entitled kiosk. Sent through the channel layer to each kiosk socket's own channel,
it costs one copy, one queue and one consumer dispatch per socket: about 0.5 ms of Python each, 1.5 s for 3,000
kiosks in one process (docs/performance.md). Here the process's listener alone joins the partner groups
(`group_for_partner_kiosks`), so the layer carries one message per process and change; the listener encodes the
`partner` frame once per display mode and writes it to each local kiosk socket that shows the partner.

The publishing side does not change: services publish `partner.state` to the partner's kiosk group after commit.
A listener is bound to its event loop and channel layer (the test suite runs one loop per test). It re-joins its
groups every REJOIN_SECONDS, well inside the layer's group expiry, whether changes come or not, and again once a
failed read of the layer succeeds; a kiosk that missed a frame sees a gap in `seq` at the next one and takes a
fresh snapshot (docs/realtime.md).
"""

import asyncio
import json
import logging
import weakref
from typing import Protocol

from channels.layers import get_channel_layer

from visiorelais.calls import wire
from visiorelais.calls.events import MESSAGE_TYPE, group_for_partner_kiosks

logger = logging.getLogger(__name__)

# Well inside the layers' group expiry (a day by default).
REJOIN_SECONDS = 600.0
RETRY_SECONDS = 1.0


class PartnerStateFrames:
    """One `partner.state` on its way to the kiosks: its `partner` frame is encoded at most once per display mode,
    however many sockets show it (encoding it for each socket was a large part of the fan-out's cost,
    docs/performance.md)."""

    def __init__(self, payload: dict) -> None:
        self.payload = payload
        self.partner_id: int = payload["partner_id"]
        self.seq: int = payload["seq"]
        self._texts: dict[str, str] = {}

    def text(self, mode: str) -> str:
        text = self._texts.get(mode)
        if text is None:
            frame = {"type": "partner", "seq": self.seq, "partner": wire.partner_live(self.payload, mode=mode)}
            text = self._texts[mode] = json.dumps(frame, separators=(",", ":"))
        return text


class PartnerFrameSink(Protocol):
    async def deliver_partner_state(self, frames: PartnerStateFrames) -> None: ...


class KioskFanout:
    """The kiosk sockets of one process and loop, and the one channel that receives their partners' changes.

    The channel has the layer's default prefix, as the consumers' have: channels_redis reads every channel of a
    process through one shared blocking read of that prefix, and a channel of another prefix would starve.
    """

    def __init__(self, layer) -> None:
        self.layer = layer
        self.channel: str | None = None
        self.sinks: dict[PartnerFrameSink, frozenset[int]] = {}
        self.groups: set[int] = set()  # the partners whose kiosk group `channel` joined
        self.tasks: list[asyncio.Task] = []
        self.starting = asyncio.Lock()

    async def subscribe(self, sink: PartnerFrameSink, partner_ids: set[int]) -> None:
        """From now on `sink` gets every `partner.state` of these partners that the layer delivers."""
        await self._start()
        for partner_id in partner_ids - self.groups:
            await self.layer.group_add(group_for_partner_kiosks(partner_id), self.channel)
            self.groups.add(partner_id)
        self.sinks[sink] = frozenset(partner_ids)

    def unsubscribe(self, sink: PartnerFrameSink) -> None:
        # Groups stay joined: other kiosks come back, and a partner's group is one entry per process.
        self.sinks.pop(sink, None)

    async def _start(self) -> None:
        # Once per loop: the two tasks end with it (a failure of the layer is logged and retried, not fatal).
        async with self.starting:
            if self.channel is None:
                self.channel = await self.layer.new_channel()
                self.tasks = [
                    asyncio.create_task(self._listen(), name="kiosk-fanout"),
                    asyncio.create_task(self._keep_joined(), name="kiosk-fanout-rejoin"),
                ]

    async def _listen(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except Exception:
                # The layer failed (Redis gone, perhaps with its groups): join them again once it is back.
                logger.exception("kiosk fan-out listener lost its channel layer")
                await asyncio.sleep(RETRY_SECONDS)
                while not await self._rejoin():
                    await asyncio.sleep(RETRY_SECONDS)
                continue
            if message.get("type") == MESSAGE_TYPE and message.get("event") == "partner.state":
                await self.deliver(PartnerStateFrames(message["payload"]))

    async def _keep_joined(self) -> None:
        while True:
            await asyncio.sleep(REJOIN_SECONDS)
            await self._rejoin()

    async def _rejoin(self) -> bool:
        try:
            for partner_id in list(self.groups):
                await self.layer.group_add(group_for_partner_kiosks(partner_id), self.channel)
        except Exception:
            logger.exception("kiosk fan-out could not join its groups again")
            return False
        return True

    async def deliver(self, frames: PartnerStateFrames) -> None:
        """Writes the change to each local socket showing the partner, one after the other: an awaited write
        returns at once unless that socket's buffer is full (a stalled kiosk, closed by its ping timeout)."""
        for sink, partner_ids in list(self.sinks.items()):
            if frames.partner_id in partner_ids:
                try:
                    await sink.deliver_partner_state(frames)
                except Exception:
                    logger.exception("partner frame to a kiosk socket failed")


_fanouts: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, KioskFanout]" = weakref.WeakKeyDictionary()


def kiosk_fanout() -> KioskFanout:
    """This process's fan-out for the running loop and the default channel layer (a new one if that changed)."""
    layer = get_channel_layer()
    loop = asyncio.get_running_loop()
    fanout = _fanouts.get(loop)
    if fanout is None or fanout.layer is not layer:
        fanout = _fanouts[loop] = KioskFanout(layer)
    return fanout

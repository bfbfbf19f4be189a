"""One listener per server process carries each partner's changes to that process's kiosk sockets.

A partner's change goes to every entitled kiosk. Sent through the channel layer to each kiosk socket's own channel,
it costs one copy, one queue and one consumer dispatch per socket: about 0.5 ms of Python each, 1.5 s for 3,000
kiosks in one process (docs/performance.md). Here the process's listener alone joins the partner groups
(`group_for_partner_kiosks`), so the layer carries one message per process and change; the listener encodes the
`partner` frame once per display mode and writes it to each local kiosk socket that shows the partner.

The publishing side does not change: services publish `partner.state` to the partner's kiosk group after commit.
A listener is bound to its event loop and channel layer (the test suite runs one loop per test). It re-joins its
groups before the layer's group expiry, and after a layer failure it starts again; a kiosk that missed a frame sees
a gap in `seq` at the next one and takes a fresh snapshot (docs/realtime.md).
"""

import asyncio
import contextlib
import logging
import weakref
from typing import Protocol

from channels.layers import get_channel_layer

from visiorelais.calls.events import MESSAGE_TYPE, group_for_partner_kiosks

logger = logging.getLogger(__name__)

# Well inside the layers' group expiry (a day by default).
REJOIN_SECONDS = 600.0
RETRY_SECONDS = 1.0


class PartnerFrameSink(Protocol):
    async def deliver_partner_state(self, payload: dict) -> None: ...


class KioskFanout:
    """The kiosk sockets of one process and loop, and the one channel that receives their partners' changes.

    The channel has the layer's default prefix, as the consumers' have: channels_redis reads every channel of a
    process through one shared blocking read of that prefix, and a channel of another prefix would starve.
    """

    def __init__(self, layer) -> None:
        self.layer = layer
        self.channel: str | None = None
        self.sinks: dict[PartnerFrameSink, frozenset[int]] = {}
        self.groups: set[int] = set()
        self.task: asyncio.Task | None = None
        self.started = asyncio.Lock()

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
        async with self.started:
            if self.task is None or self.task.done():
                self.channel = await self.layer.new_channel()
                self.groups = set()
                self.task = asyncio.create_task(self._listen(), name="kiosk-fanout")

    async def _listen(self) -> None:
        rejoin = asyncio.get_running_loop().time() + REJOIN_SECONDS
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                # The layer failed (Redis gone): start over on a new channel once it is back.
                logger.exception("kiosk fan-out listener lost its channel layer")
                await asyncio.sleep(RETRY_SECONDS)
                await self._restart()
                continue
            if message.get("type") == MESSAGE_TYPE and message.get("event") == "partner.state":
                await self.deliver(message["payload"])
            now = asyncio.get_running_loop().time()
            if now >= rejoin:
                rejoin = now + REJOIN_SECONDS
                for partner_id in list(self.groups):
                    await self.layer.group_add(group_for_partner_kiosks(partner_id), self.channel)

    async def _restart(self) -> None:
        with contextlib.suppress(Exception):
            self.channel = await self.layer.new_channel()
            for partner_id in list(self.groups):
                await self.layer.group_add(group_for_partner_kiosks(partner_id), self.channel)

    async def deliver(self, payload: dict) -> None:
        """Writes the change to each local socket showing the partner, one after the other: an awaited write
        returns at once unless that socket's buffer is full (a stalled kiosk, closed by its ping timeout)."""
        partner_id = payload["partner_id"]
        for sink, partner_ids in list(self.sinks.items()):
            if partner_id in partner_ids:
                try:
                    await sink.deliver_partner_state(payload)
                except Exception:
                    logger.exception("partner frame to a kiosk socket failed")


_fanouts: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, KioskFanout]]" = weakref.WeakKeyDictionary()


def kiosk_fanout() -> KioskFanout:
    """This process's fan-out for the running loop and the default channel layer."""
    layer = get_channel_layer()
    per_loop = _fanouts.setdefault(asyncio.get_running_loop(), {})
    fanout = per_loop.get(id(layer))
    if fanout is None or fanout.layer is not layer:
        fanout = per_loop[id(layer)] = KioskFanout(layer)
    return fanout

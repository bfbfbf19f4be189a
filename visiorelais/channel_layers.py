"""The in-memory channel layer, made fit for thousands of sockets in one process.

Channels' InMemoryChannelLayer sweeps every channel and group for expired messages on each receive() and
group_send(): with N idle kiosks each waiting in receive(), one broadcast to them costs about N² steps (8.5 s at
3,000 kiosks on our machine, docs/performance.md). Expiry only bounds memory, so sweeping at most once a second
keeps its purpose at a constant cost. Redis (REDIS_URL) remains the layer for more than one process.
"""

import time

from channels.layers import InMemoryChannelLayer

SWEEP_INTERVAL_SECONDS = 1.0


class ThrottledInMemoryChannelLayer(InMemoryChannelLayer):
    _last_sweep = 0.0

    def _clean_expired(self):
        now = time.monotonic()
        if now - self._last_sweep < SWEEP_INTERVAL_SECONDS:
            return
        self._last_sweep = now
        super()._clean_expired()

"""Changes of the live call (STYLE.md 4): the Call state machine, routing and presence.

Import services from here; the sub-modules are an internal split by sub-domain.
"""

from visiorelais.calls.services.after import WrapUpOutcome, call_rate, call_wrap_up
from visiorelais.calls.services.call import (
    call_accept,
    call_decline,
    call_end,
    call_expire_rings,
    call_give_up,
    call_request,
    call_ring_timeout,
)
from visiorelais.calls.services.dispatch import queue_dispatch
from visiorelais.calls.services.presence import (
    presence_expire,
    presence_heartbeat,
    station_leave,
    station_pause,
    station_set_available,
    station_take,
)

__all__ = [
    "WrapUpOutcome",
    "call_accept",
    "call_decline",
    "call_end",
    "call_expire_rings",
    "call_give_up",
    "call_rate",
    "call_request",
    "call_ring_timeout",
    "call_wrap_up",
    "presence_expire",
    "presence_heartbeat",
    "queue_dispatch",
    "station_leave",
    "station_pause",
    "station_set_available",
    "station_take",
]

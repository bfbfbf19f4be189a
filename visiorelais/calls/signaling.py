"""The one signaling codec: validates and normalises the WebRTC messages the two browsers of a call exchange.

The server relays signaling only; it never reads SDP beyond these sanity checks. A message that does not decode
raises `SignalError`, and the consumer closes the socket (see docs/realtime.md).
"""

from typing import Any, Literal, TypedDict

MAX_SDP_BYTES = 12 * 1024
MAX_CANDIDATE_BYTES = 1024
MAX_MID_BYTES = 32
MAX_MLINE_INDEX = 64

SignalKind = Literal["offer", "answer", "candidate", "restart"]


class SignalError(ValueError):
    """A signaling message that must be refused; `reason` says why, for logs and the close frame."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Description(TypedDict):
    kind: Literal["offer", "answer"]
    sdp: str


class Candidate(TypedDict):
    kind: Literal["candidate"]
    candidate: str
    sdpMid: str | None
    sdpMLineIndex: int | None


class Restart(TypedDict):
    kind: Literal["restart"]


Signal = Description | Candidate | Restart


def _text(value: Any, field: str, limit: int) -> str:
    if not isinstance(value, str):
        raise SignalError(f"{field} must be a string")
    if len(value.encode()) > limit:
        raise SignalError(f"{field} is longer than {limit} bytes")
    if "\x00" in value:
        raise SignalError(f"{field} holds a NUL character")
    return value


def decode_signal(raw: Any) -> Signal:
    """Validates one signal object and returns a clean copy holding only the known fields.

    - offer / answer: `sdp`, a string of at most 12 KiB starting with "v=0";
    - candidate: `candidate` (a string of at most 1 KiB, empty for end-of-candidates, else starting with
      "candidate:"), `sdpMid` (short string or null), `sdpMLineIndex` (0..64 or null), not both null;
    - restart: no field (asks the offering side for an ICE restart).
    Unknown kinds, missing or mistyped fields raise SignalError. Extra fields are dropped, not relayed.
    """
    if not isinstance(raw, dict):
        raise SignalError("signal must be an object")
    kind = raw.get("kind")
    if kind in ("offer", "answer"):
        sdp = _text(raw.get("sdp"), "sdp", MAX_SDP_BYTES)
        if not sdp.startswith("v=0"):
            raise SignalError("sdp must start with v=0")
        return Description(kind=kind, sdp=sdp)
    if kind == "candidate":
        candidate = _text(raw.get("candidate"), "candidate", MAX_CANDIDATE_BYTES)
        if candidate and not candidate.startswith("candidate:"):
            raise SignalError("candidate must start with 'candidate:'")
        mid = raw.get("sdpMid")
        if mid is not None:
            mid = _text(mid, "sdpMid", MAX_MID_BYTES)
        index = raw.get("sdpMLineIndex")
        if index is not None and (isinstance(index, bool) or not isinstance(index, int)):
            raise SignalError("sdpMLineIndex must be an integer")
        if index is not None and not 0 <= index <= MAX_MLINE_INDEX:
            raise SignalError("sdpMLineIndex is out of range")
        if candidate and mid is None and index is None:
            raise SignalError("a candidate needs sdpMid or sdpMLineIndex")
        return Candidate(kind="candidate", candidate=candidate, sdpMid=mid, sdpMLineIndex=index)
    if kind == "restart":
        return Restart(kind="restart")
    raise SignalError("unknown signal kind")

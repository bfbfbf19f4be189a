"""The WebSockets of the live call (docs/realtime.md): the kiosk's and the agent console's, on a shared base."""

from visiorelais.calls.consumers.base import CloseCode, JsonSocket, ProtocolViolation, field_int
from visiorelais.calls.consumers.console import ConsoleConsumer
from visiorelais.calls.consumers.kiosk import KioskConsumer

__all__ = ["CloseCode", "ConsoleConsumer", "JsonSocket", "KioskConsumer", "ProtocolViolation", "field_int"]

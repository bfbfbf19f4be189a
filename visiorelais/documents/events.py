"""Real-time events of documents, scans and print jobs: the bridge's group, typed payloads, publishing.

Published only after commit, through calls.events.publish_on_commit, as channel-layer messages
`{"type": "visiorelais.event", "event": <type>, "payload": {...}}`:

- to the call's kiosk (group_for_kiosk) and the call's station (group_for_station):
  `document.added` DocumentAdded, `scan.state` ScanState, `print_job.state` PrintJobState;
  `peripherals.state` PeripheralsState (a kiosk's bridge health changed) also to the station of its live call;
- to the kiosk's bridge (group_for_bridge): `bridge.scan` BridgeScan, `bridge.print` BridgePrint, and
  `bridge.ticket` BridgeTicket (an appointment's ticket to print outside any call: scheduling/services/tickets.py).

The consumers turn them into the frames of docs/documents.md (`document`, `scan`, `print_job`, `peripherals`;
`scan.start`, `print.start`). These are full replacements: applying one twice changes nothing.
"""

from typing import Literal, TypedDict, cast

from visiorelais.calls import events as call_events

DocumentEventType = Literal[
    "document.added",
    "scan.state",
    "print_job.state",
    "peripherals.state",
    "bridge.scan",
    "bridge.print",
    "bridge.ticket",
]


def group_for_bridge(kiosk_id: int) -> str:
    """The bridge daemon of one kiosk (its one socket)."""
    return f"bridge.{kiosk_id}"


class PrintJobEntry(TypedDict):
    id: int
    state: Literal["queued", "printing", "done", "failed"]
    reason: Literal["", "out_of_paper", "jammed", "offline", "error"]
    message: str


class DocumentEntry(TypedDict):
    id: int
    call_id: int
    direction: Literal["scan", "print"]
    name: str
    content_type: Literal["application/pdf", "image/jpeg", "image/png"]
    pages: int
    size: int
    sha256: str
    created_at: str
    print_job: PrintJobEntry | None


class DocumentAdded(TypedDict):
    document: DocumentEntry


class ScanState(TypedDict):
    call_id: int
    request_id: str
    state: Literal["requested", "scanning", "uploading", "done", "failed"]
    pages: int
    message: str


class PrintJobState(TypedDict):
    document_id: int
    print_job: PrintJobEntry


class ScannerHealth(TypedDict):
    present: bool
    ready: bool
    detail: str
    adf: bool


class PrinterHealth(TypedDict):
    present: bool
    ready: bool
    state: Literal["idle", "processing", "stopped"]
    reasons: list[str]


class PeripheralsState(TypedDict):
    kiosk_id: int
    scanner: ScannerHealth | None
    printer: PrinterHealth | None
    at: str | None


class ScanOptions(TypedDict):
    resolution: int
    mode: Literal["Gray", "Color"]
    source: Literal["ADF", "Flatbed"]


class BridgeScan(TypedDict):
    call_id: int
    request_id: str
    options: ScanOptions


class BridgePrint(TypedDict):
    call_id: int
    document_id: int
    job_id: int


class BridgeTicket(TypedDict):
    ticket_id: int


def publish_on_commit(group: str, event_type: DocumentEventType, payload: dict) -> None:
    """calls.events.publish_on_commit, for the events of this module."""
    call_events.publish_on_commit(group, cast(call_events.EventType, event_type), payload)


def publish_to_call(kiosk_id: int, station_id: int | None, event_type: DocumentEventType, payload: dict) -> None:
    """To the call's kiosk screen and, when the call has a station, to that station's console."""
    publish_on_commit(call_events.group_for_kiosk(kiosk_id), event_type, payload)
    if station_id is not None:
        publish_on_commit(call_events.group_for_station(station_id), event_type, payload)

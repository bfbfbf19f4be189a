"""Printer drivers: a small base class (which follows a job to its end), a registry, and the CUPS driver.

A job goes queued → printing → done, or failed with a reason of docs/documents.md (out_of_paper, jammed,
offline, error). A job that cannot finish (the printer stopped, out of paper…) is cancelled, never left to come
out later when the resident has gone.
"""

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

logger = logging.getLogger(__name__)

PRINT_FAILURE_REASONS = ("out_of_paper", "jammed", "offline", "error")
StateCallback = Callable[[str, str], Awaitable[None]]

# IPP printer-state-reasons keywords (RFC 8011, 5.4.12; suffixes -error, -warning, -report give the severity).
REASON_KEYWORDS = {
    "media-empty": "out_of_paper",
    "media-needed": "out_of_paper",
    "media-low": None,
    "media-jam": "jammed",
    "cover-open": "offline",
    "door-open": "offline",
    "input-tray-missing": "out_of_paper",
    "offline": "offline",
    "shutdown": "offline",
    "stopped": "offline",
}
# A queue stopped by hand (`cupsdisable -r "…"`) says why only in its message.
MESSAGE_WORDS = (("paper", "out_of_paper"), ("papier", "out_of_paper"), ("jam", "jammed"), ("bourrage", "jammed"))


def split_reason(reason: str) -> tuple[str, str]:
    for severity in ("error", "warning", "report"):
        if reason.endswith(f"-{severity}"):
            return reason.removesuffix(f"-{severity}"), severity
    return reason, ""


@dataclass
class PrinterStatus:
    """A print queue as its driver sees it: `state` is idle, processing or stopped; `reasons` are IPP keywords."""

    present: bool
    state: str = "stopped"
    reasons: list[str] = field(default_factory=list)
    message: str = ""
    accepting: bool = False

    def failure(self) -> str | None:
        """Why a job cannot print now (a reason of PRINT_FAILURE_REASONS), or None when it can."""
        if not self.present:
            return "offline"
        for reason in self.reasons:
            keyword, severity = split_reason(reason)
            if keyword in REASON_KEYWORDS and REASON_KEYWORDS[keyword] and (severity == "error" or not severity):
                return REASON_KEYWORDS[keyword]
            if keyword == "offline":
                return "offline"
        if self.state == "stopped":
            message = self.message.lower()
            return next((reason for word, reason in MESSAGE_WORDS if word in message), "offline")
        if any(split_reason(reason)[1] == "error" for reason in self.reasons):
            return "error"
        if not self.accepting:
            return "offline"
        return None

    def as_health(self) -> dict:
        """The printer part of the bridge's `health` frame (docs/documents.md), plus the queue's message."""
        return {
            "present": self.present,
            "ready": self.failure() is None,
            "state": self.state,
            "reasons": list(self.reasons),
            "detail": self.message,
        }


# IPP job-state (RFC 8011, 5.3.7) → the print job states of docs/documents.md; None while unknown.
JOB_STATES = {3: "queued", 4: "queued", 5: "printing", 6: "printing", 7: "failed", 8: "failed", 9: "done"}


class PrintFailed(Exception):
    def __init__(self, reason: str, detail: str = ""):
        assert reason in PRINT_FAILURE_REASONS, reason
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class Printer:
    """Base class of printer drivers. Subclasses set `name`, register with @register_printer, and implement
    `status`, `submit`, `job_state`, `cancel` and `forget`; `print_file` follows a job with them."""

    name: ClassVar[str]
    poll_interval = 0.25
    job_timeout = 600.0

    async def status(self) -> PrinterStatus:
        raise NotImplementedError

    async def submit(self, path: Path, *, title: str) -> int:
        """Sends the file to the printer; returns the driver's job id."""
        raise NotImplementedError

    async def job_state(self, job: int) -> int:
        """The job's IPP job-state (3 pending … 9 completed)."""
        raise NotImplementedError

    async def cancel(self, job: int) -> None:
        raise NotImplementedError

    async def forget(self, job: int) -> None:
        """Removes what the printing system keeps of a finished job (its files, its history entry)."""
        raise NotImplementedError

    async def print_file(self, path: Path, *, title: str, on_state: StateCallback) -> int:
        """Prints `path`, calling `on_state(state, reason)` on each change (queued, printing, done); returns
        the driver's job id once done. Raises PrintFailed after cancelling the job if it cannot be printed."""
        status = await self.status()
        reason = status.failure()
        if reason:
            raise PrintFailed(reason, status.message)
        job = await self.submit(path, title=title)
        await on_state("queued", "")
        state, deadline = "queued", time.monotonic() + self.job_timeout
        while True:
            ipp_state = await self.job_state(job)
            new_state = JOB_STATES.get(ipp_state, state)
            if new_state == "done":
                await on_state("done", "")
                return job
            if new_state == "failed":
                status = await self.status()
                raise PrintFailed(status.failure() or "error", f"job-state {ipp_state}")
            if new_state != state:
                state = new_state
                await on_state(state, "")
            status = await self.status()
            reason = status.failure()
            if reason is None and time.monotonic() > deadline:
                reason = "error"
            if reason:
                await self.cancel(job)
                raise PrintFailed(reason, status.message or f"job-state {ipp_state}")
            await asyncio.sleep(self.poll_interval)


PRINTERS: dict[str, type[Printer]] = {}


def register_printer(cls: type[Printer]) -> type[Printer]:
    PRINTERS[cls.name] = cls
    return cls


def printer_create(driver: str, **options) -> Printer:
    """The printer driver registered as `driver`, built with `options`; KeyError names the known ones."""
    try:
        cls = PRINTERS[driver]
    except KeyError:
        raise KeyError(f"unknown printer driver {driver!r} (known: {', '.join(sorted(PRINTERS))})") from None
    return cls(**options)


@register_printer
class CupsPrinter(Printer):
    """A CUPS queue through pycups (libcups): `queue` (None: the default destination) on `server` (a host or a
    unix socket path; None: CUPS_SERVER, else the local scheduler). Each call opens its own connection in a
    worker thread (libcups blocks, and a connection is not shared between threads)."""

    name = "cups"
    PRINTER_STATES = {3: "idle", 4: "processing", 5: "stopped"}

    def __init__(self, *, queue: str | None = None, server: str | None = None):
        self.queue = queue
        self.server = server or os.environ.get("CUPS_SERVER") or None

    def _connection(self):
        import cups  # pycups: imported here so that the bridge's other drivers work without libcups

        return cups.Connection(host=self.server) if self.server else cups.Connection()

    def _queue(self, connection) -> str:
        queue = self.queue or connection.getDefault()
        if not queue:
            raise PrintFailed("offline", "no CUPS queue given and no default destination")
        return queue

    def _status(self) -> PrinterStatus:
        import cups

        try:
            connection = self._connection()
            attributes = connection.getPrinterAttributes(
                self._queue(connection),
                requested_attributes=[
                    "printer-state",
                    "printer-state-reasons",
                    "printer-state-message",
                    "printer-is-accepting-jobs",
                ],
            )
        except (cups.IPPError, RuntimeError, PrintFailed) as error:
            return PrinterStatus(present=False, message=str(error))
        reasons = attributes.get("printer-state-reasons", [])
        if isinstance(reasons, str):
            reasons = [reasons]
        return PrinterStatus(
            present=True,
            state=self.PRINTER_STATES.get(attributes.get("printer-state"), "stopped"),
            reasons=[reason for reason in reasons if reason != "none"],
            message=attributes.get("printer-state-message", ""),
            accepting=bool(attributes.get("printer-is-accepting-jobs", False)),
        )

    def _submit(self, path: Path, title: str) -> int:
        import cups

        try:
            connection = self._connection()
            return connection.printFile(self._queue(connection), str(path), title, {})
        except (cups.IPPError, RuntimeError) as error:
            raise PrintFailed("offline", str(error)) from None

    def _job_state(self, job: int) -> int:
        return self._connection().getJobAttributes(job, requested_attributes=["job-state"])["job-state"]

    def _cancel(self, job: int, purge: bool) -> None:
        import cups

        try:
            self._connection().cancelJob(job, purge_job=purge)
        except (cups.IPPError, RuntimeError) as error:
            logger.warning("could not cancel CUPS job %s: %s", job, error)

    async def status(self) -> PrinterStatus:
        return await asyncio.to_thread(self._status)

    async def submit(self, path: Path, *, title: str) -> int:
        return await asyncio.to_thread(self._submit, path, title)

    async def job_state(self, job: int) -> int:
        return await asyncio.to_thread(self._job_state, job)

    async def cancel(self, job: int) -> None:
        await asyncio.to_thread(self._cancel, job, True)

    async def forget(self, job: int) -> None:
        await asyncio.to_thread(self._cancel, job, True)

"""The bridge daemon: one WebSocket to the server (`/ws/bridge/`), the scan and print commands it relays, the wipe.

Protocol: docs/documents.md, "The bridge socket". The daemon connects out, authenticated by the kiosk's device
token, and reconnects with backoff and jitter (0.5 s doubling to 15 s, ±30 %; a refused token waits a minute and
re-reads the token file, so that re-enrolling needs no restart). It sends `heartbeat` and `health` every 10 s and
treats 30 s without a frame from the server as a lost connection.

Per call it keeps a folder (workdir.py) and the print jobs it has submitted: a repeated `print.start` answers the
job's known state and never prints twice. When the call ends — `call.ended`, or a `hello` naming another live
call (or none) after a reconnection — it stops the call's scans, deletes the call's folder and says `wiped`.
Prints already handed to the printer finish, then the printer's copy is purged. At start-up and at shutdown it
wipes everything.

Outside calls it prints appointment tickets: `ticket.print` → it fetches the ticket, prints it once (a repeated
command answers the ticket's known state), reports `ticket.state` as it reports print jobs, then deletes the file
and the printer's copy.
"""

import asyncio
import collections
import contextlib
import json
import logging
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from visiorelais.bridge.printers import Printer, PrintFailed, StateCallback
from visiorelais.bridge.scanners import ScanFailed, Scanner, ScanOptions, pages_to_pdf
from visiorelais.bridge.server import USER_AGENT, ServerClient, ServerError
from visiorelais.bridge.workdir import WorkingFolder

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10.0
SILENCE_SECONDS = 30.0
BACKOFF_FIRST, BACKOFF_MAX, BACKOFF_JITTER = 0.5, 15.0, 0.3
REFUSED_WAIT = 60.0
NOT_AUTHENTICATED = 4001
MAX_FRAME_BYTES = 16 * 1024
OUTBOX_SIZE = 200
REMEMBERED_ENDED_CALLS = 100
REMEMBERED_TICKETS = 100


class BadFrame(ValueError):
    """A server frame the bridge cannot act on (logged and ignored: the server is the one that validates)."""


def positive_int(frame: dict, name: str) -> int:
    value = frame.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**53:
        raise BadFrame(f"{frame.get('type')}: {name} must be a positive integer")
    return value


def request_id_of(frame: dict) -> str | int:
    value = frame.get("request_id")
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z0-9_.:-]{1,100}", value):
        return value
    raise BadFrame("scan.start: request_id must be a short identifier")


def scan_options_of(frame: dict, default: ScanOptions) -> ScanOptions:
    options = frame.get("options") or {}
    if not isinstance(options, dict):
        raise BadFrame("scan.start: options must be an object")
    resolution = options.get("resolution", default.resolution)
    if isinstance(resolution, bool) or not isinstance(resolution, int):
        resolution = default.resolution
    mode = options.get("mode") if options.get("mode") in ("Gray", "Color") else default.mode
    source = options.get("source") if options.get("source") in ("ADF", "Flatbed") else default.source
    return ScanOptions(resolution=min(max(resolution, 75), 600), mode=mode, source=source)


def backoff_delay(attempt: int) -> float:
    base = min(BACKOFF_MAX, BACKOFF_FIRST * 2**attempt)
    return base * random.uniform(1 - BACKOFF_JITTER, 1 + BACKOFF_JITTER)  # noqa: S311 (jitter, not a secret)


@dataclass
class CallWork:
    """What the bridge does for one call: its print jobs (job id → state), the printer's job ids to purge at
    the end, and the running tasks (scans and downloads, cancelled at the end; prints handed to the printer
    are left to finish)."""

    jobs: dict[int, dict] = field(default_factory=dict)
    printed: list[int] = field(default_factory=list)
    stoppable: set[asyncio.Task] = field(default_factory=set)
    printing: set[asyncio.Task] = field(default_factory=set)
    ended: bool = False


class Bridge:
    """The daemon. `token` returns the current device token (re-read before each connection)."""

    def __init__(
        self,
        *,
        server: ServerClient,
        token: Callable[[], str | None],
        scanner: Scanner,
        printer: Printer,
        workdir: WorkingFolder,
        scan_defaults: ScanOptions = ScanOptions(),  # noqa: B008 (frozen dataclass)
        health_interval: float = HEARTBEAT_SECONDS,
    ):
        self.server = server
        self.token = token
        self.scanner = scanner
        self.printer = printer
        self.workdir = workdir
        self.scan_defaults = scan_defaults
        self.health_interval = health_interval
        self.calls: dict[int, CallWork] = {}
        self.late_prints: dict[int, CallWork] = {}  # prints of calls that have ended (receipts)
        self.ended_calls: collections.deque[int] = collections.deque(maxlen=REMEMBERED_ENDED_CALLS)
        self.tickets: collections.OrderedDict[int, dict] = collections.OrderedDict()  # ticket id → its state
        self.ticket_tasks: set[asyncio.Task] = set()
        self.scanner_lock = asyncio.Lock()
        self.socket: ClientConnection | None = None
        self.outbox: collections.deque[dict] = collections.deque(maxlen=OUTBOX_SIZE)
        self.connected = asyncio.Event()
        self.kiosk: dict | None = None

    # --- Lifecycle ---------------------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Wipes leftovers, then stays connected until `stop` is set; then stops the work and wipes everything."""
        self.wipe_leftovers()
        runner = asyncio.create_task(self.connect_forever())
        try:
            await stop.wait()
        finally:
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
            await self.shutdown()

    def wipe_leftovers(self, *, keep: int | None = None) -> None:
        for call_id, files in self.workdir.wipe_all(keep=keep).items():
            logger.info("wiped %d file(s) left by call %s", files, call_id or "-")
            if call_id:
                self.queue({"type": "wiped", "call_id": call_id, "files": files})

    async def shutdown(self) -> None:
        for call_id in list(self.calls):
            await self.end_call(call_id, finish_prints=False)
        for work in list(self.late_prints.values()):
            for task in work.stoppable | work.printing:
                task.cancel()
        for task in list(self.ticket_tasks):
            task.cancel()
        self.wipe_leftovers()

    async def connect_forever(self) -> None:
        attempt = 0
        while True:
            token = self.token()
            if not token:
                logger.error("no device token: enrol this kiosk (visiorelais bridge --enrol CODE)")
                await asyncio.sleep(REFUSED_WAIT)
                continue
            self.server.token = token
            delay = None
            try:
                async with connect(
                    self.server.socket_url,
                    additional_headers={"Authorization": f"Bearer {token}"},
                    origin=self.server.origin,
                    user_agent_header=USER_AGENT,
                    proxy=None,
                    open_timeout=10,
                    max_size=MAX_FRAME_BYTES,
                ) as socket:
                    if await self.session(socket):
                        attempt = 0
            except ConnectionClosed as closed:
                code = closed.rcvd.code if closed.rcvd else None
                if code == NOT_AUTHENTICATED:
                    logger.error("the server refused the device token (4001): enrol this kiosk again")
                    delay = REFUSED_WAIT
                else:
                    logger.warning("connection to the server closed (%s)", code)
            except (OSError, TimeoutError, InvalidHandshake, InvalidURI) as error:
                logger.warning("cannot reach the server at %s: %s", self.server.socket_url, error)
            except Exception:
                # A bug must not end the daemon: log it, reconnect, and start afresh.
                logger.exception("the connection to the server failed")
            finally:
                self.socket = None
                self.connected.clear()
            delay = delay or backoff_delay(attempt)
            attempt += 1
            await asyncio.sleep(delay)

    async def session(self, socket: ClientConnection) -> bool:
        """Runs one connection until it closes; returns whether the server said hello."""
        raw = await asyncio.wait_for(socket.recv(), SILENCE_SECONDS)
        hello = self.decode(raw)
        if hello is None or hello.get("type") != "hello":
            logger.warning("the server did not start with hello: %r", raw[:200])
            return False
        self.socket = socket
        await self.flush()
        await self.on_hello(hello)
        self.connected.set()
        ticker = asyncio.create_task(self.tick())
        try:
            while True:
                raw = await asyncio.wait_for(socket.recv(), SILENCE_SECONDS)
                frame = self.decode(raw)
                if frame is not None:
                    await self.handle(frame)
        except TimeoutError:
            logger.warning("no frame from the server for %d s: reconnecting", SILENCE_SECONDS)
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
        return True

    async def tick(self) -> None:
        while True:
            try:
                await self.send({"type": "health", **await self.health()}, queue=False)
            except Exception:
                # A driver's bug must not stop the heartbeats: the server would think the bridge gone.
                logger.exception("could not read the peripherals' health")
            await asyncio.sleep(self.health_interval)
            await self.send({"type": "heartbeat"}, queue=False)

    async def health(self) -> dict:
        scanner, printer = await asyncio.gather(self.scanner.health(), self.printer.status())
        return {"scanner": scanner, "printer": printer.as_health()}

    # --- Frames ----------------------------------------------------------------------------------------------

    @staticmethod
    def decode(raw) -> dict | None:
        if not isinstance(raw, str):
            logger.warning("ignored a binary frame from the server")
            return None
        try:
            frame = json.loads(raw)
        except ValueError:
            frame = None
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            logger.warning("ignored a frame that is not a JSON object with a type: %r", raw[:200])
            return None
        return frame

    def queue(self, frame: dict) -> None:
        self.outbox.append(frame)

    async def send(self, frame: dict, *, queue: bool = True) -> None:
        """Sends now when connected; otherwise keeps the frame (unless `queue` is False) for the next connection."""
        socket = self.socket
        if socket is not None:
            try:
                await socket.send(json.dumps(frame, separators=(",", ":")))
                return
            except ConnectionClosed:
                pass
        if queue:
            self.outbox.append(frame)

    async def flush(self) -> None:
        while self.outbox and self.socket is not None:
            frame = self.outbox.popleft()
            await self.send(frame)

    async def handle(self, frame: dict) -> None:
        handlers = {
            "hello": self.on_hello,
            "heartbeat": self.on_heartbeat,
            "scan.start": self.on_scan_start,
            "print.start": self.on_print_start,
            "call.ended": self.on_call_ended,
            "ticket.print": self.on_ticket_print,
            "error": self.on_error,
        }
        handler = handlers.get(frame["type"])
        if handler is None:
            logger.info("ignored a frame of unknown type %r", frame["type"])
            return
        try:
            await handler(frame)
        except BadFrame as error:
            logger.warning("ignored a malformed frame: %s", error)

    async def on_hello(self, frame: dict) -> None:
        kiosk = frame.get("kiosk")
        self.kiosk = kiosk if isinstance(kiosk, dict) else None
        logger.info("connected to %s as kiosk %s", self.server.base_url, (self.kiosk or {}).get("code", "?"))
        # A call that ended while the bridge was away: the server names the live call, if any.
        if "call_id" in frame:
            live = frame["call_id"]
            for call_id in set(self.calls) | set(self.workdir.leftovers()):
                if call_id != live:
                    await self.end_call(call_id)

    async def on_heartbeat(self, frame: dict) -> None:
        pass

    async def on_error(self, frame: dict) -> None:
        logger.warning("the server said: %s (%s)", frame.get("message"), frame.get("code"))

    def work_for(self, call_id: int) -> CallWork | None:
        """The call's bookkeeping, or None for a call that has already ended here."""
        if call_id in self.ended_calls:
            return None
        return self.calls.setdefault(call_id, CallWork())

    def spawn(self, work: CallWork, coroutine, *, stoppable: bool = True) -> asyncio.Task:
        task = asyncio.create_task(coroutine)
        tasks = work.stoppable if stoppable else work.printing
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return task

    async def on_scan_start(self, frame: dict) -> None:
        call_id = positive_int(frame, "call_id")
        request_id = request_id_of(frame)
        options = scan_options_of(frame, self.scan_defaults)
        work = self.work_for(call_id)
        if work is None:
            await self.send({"type": "scan.failed", "request_id": request_id, "call_id": call_id, "reason": "error"})
            return
        self.spawn(work, self.scan_document(call_id=call_id, request_id=request_id, options=options))

    async def on_print_start(self, frame: dict) -> None:
        call_id = positive_int(frame, "call_id")
        document_id = positive_int(frame, "document_id")
        job_id = positive_int(frame, "job_id")
        work = self.work_for(call_id)
        late = work is None
        if late:
            # A print after the call (the resident's receipt): done in the call's folder, wiped again after.
            work = self.late_prints.setdefault(call_id, CallWork(ended=True))
        if job_id in work.jobs:
            # Printed once: a repeated command only learns where the job is.
            await self.send({"type": "print.state", "job_id": job_id, **work.jobs[job_id]})
            return
        work.jobs[job_id] = {"state": "queued", "reason": ""}
        printing = self.print_document(work=work, call_id=call_id, document_id=document_id, job_id=job_id)
        self.spawn(work, self.print_after_call(work, call_id, printing) if late else printing)

    async def print_after_call(self, work: CallWork, call_id: int, printing) -> None:
        """Prints for a call that has ended, then wipes its folder again once no other such print needs it."""
        try:
            await printing
        finally:
            if not (work.stoppable | work.printing) - {asyncio.current_task()}:
                self.late_prints.pop(call_id, None)
                files = self.workdir.wipe(call_id)
                logger.info("print after call %s: wiped %d file(s)", call_id, files)
                await self.send({"type": "wiped", "call_id": call_id, "files": files})

    async def on_call_ended(self, frame: dict) -> None:
        await self.end_call(positive_int(frame, "call_id"))

    async def on_ticket_print(self, frame: dict) -> None:
        ticket_id = positive_int(frame, "ticket_id")
        if ticket_id in self.tickets:
            # Printed once: a repeated command only learns where the ticket is.
            await self.send({"type": "ticket.state", "ticket_id": ticket_id, **self.tickets[ticket_id]})
            return
        self.tickets[ticket_id] = {"state": "queued", "reason": ""}
        while len(self.tickets) > REMEMBERED_TICKETS:
            self.tickets.popitem(last=False)
        task = asyncio.create_task(self.print_ticket(ticket_id))
        self.ticket_tasks.add(task)
        task.add_done_callback(self.ticket_tasks.discard)

    # --- Work ------------------------------------------------------------------------------------------------

    async def scan_document(self, *, call_id: int, request_id: str | int, options: ScanOptions) -> None:
        """Scans every page into one PDF (reporting each page), uploads it, and says scan.done or scan.failed."""
        name = re.sub(r"[^A-Za-z0-9_-]", "_", str(request_id))
        folder = self.workdir.for_call(call_id)
        pages_folder, pdf = folder / f"scan-{name}-pages", folder / f"scan-{name}.pdf"
        pdf.unlink(missing_ok=True)
        base = {"request_id": request_id, "call_id": call_id}

        async def on_page(count, page) -> None:
            await asyncio.to_thread(append_page, page, pdf, options.resolution)
            await self.send({"type": "scan.progress", **base, "pages": count})

        try:
            async with self.scanner_lock:
                pages = await self.scanner.scan(folder=pages_folder, options=options, on_page=on_page)
            # The end of scanning, as bench/bench_documents.py reads it: every page is in the PDF.
            logger.info("scan %s: %d page(s) scanned, uploading", request_id, len(pages))
            await self.send({"type": "scan.progress", **base, "pages": len(pages), "state": "uploading"})
            document = await self.server.upload(
                call_id=call_id, path=pdf, name=scan_name(datetime.now()), scan_request=str(request_id)
            )
        except ScanFailed as failure:
            logger.warning("scan %s failed: %s", request_id, failure)
            await self.send({"type": "scan.failed", **base, "reason": failure.reason})
            return
        except (ServerError, OSError, ValueError) as error:
            logger.warning("scan %s could not be uploaded: %s", request_id, error)
            await self.send({"type": "scan.failed", **base, "reason": "error"})
            return
        except asyncio.CancelledError:
            # The call ended under the scan: the server hears that this scan will never come.
            await self.send({"type": "scan.failed", **base, "reason": "error"})
            raise
        except Exception:
            logger.exception("scan %s failed", request_id)
            await self.send({"type": "scan.failed", **base, "reason": "error"})
            return
        finally:
            WorkingFolder._delete(pages_folder)
        await self.send({"type": "scan.done", **base, "document_id": document["id"]})

    async def print_document(self, *, work: CallWork, call_id: int, document_id: int, job_id: int) -> None:
        """Downloads the document into the call's folder, prints it once, and reports print.state changes."""

        async def on_state(state: str, reason: str) -> None:
            work.jobs[job_id] = {"state": state, "reason": reason}
            await self.send({"type": "print.state", "job_id": job_id, "state": state, "reason": reason})

        path = self.workdir.for_call(call_id) / f"print-{job_id}"
        try:
            await self.server.download(document_id=document_id, destination=path)
        except (ServerError, OSError) as error:
            logger.warning("print job %s: could not download document %s: %s", job_id, document_id, error)
            await on_state("failed", "error")
            return
        except asyncio.CancelledError:
            await on_state("failed", "error")
            raise
        # From here the job belongs to the printer: the end of the call no longer cancels it.
        task = asyncio.current_task()
        work.stoppable.discard(task)
        work.printing.add(task)
        try:
            printer_job = await self.print_and_report(
                path, title=f"visiorelais-{job_id}", what=f"print job {job_id}", on_state=on_state
            )
        finally:
            work.printing.discard(task)
        if printer_job is None:
            return
        if work.ended:
            await self.printer.forget(printer_job)
        else:
            work.printed.append(printer_job)

    async def print_and_report(self, path: Path, *, title: str, what: str, on_state: StateCallback) -> int | None:
        """Prints `path` (a call's print job or a ticket: `what`, for the log); returns the printer's job id, or
        None once a failure is reported through `on_state` (the printer's reason, else `error`)."""
        try:
            return await self.printer.print_file(path, title=title, on_state=on_state)
        except PrintFailed as failure:
            logger.warning("%s failed: %s", what, failure)
            await on_state("failed", failure.reason)
        except Exception:
            logger.exception("%s failed", what)
            await on_state("failed", "error")
        return None

    async def print_ticket(self, ticket_id: int) -> None:
        """Downloads an appointment's ticket, prints it once, reports ticket.state changes, and deletes the file
        and the printer's copy whatever happens."""

        async def on_state(state: str, reason: str) -> None:
            self.tickets[ticket_id] = {"state": state, "reason": reason}
            await self.send({"type": "ticket.state", "ticket_id": ticket_id, "state": state, "reason": reason})

        path = self.workdir.for_tickets() / f"ticket-{ticket_id}.pdf"
        try:
            try:
                await self.server.download_ticket(ticket_id=ticket_id, destination=path)
            except (ServerError, OSError) as error:
                logger.warning("ticket %s: could not download it: %s", ticket_id, error)
                await on_state("failed", "error")
                return
            printer_job = await self.print_and_report(
                path, title=f"visiorelais-ticket-{ticket_id}", what=f"ticket {ticket_id}", on_state=on_state
            )
            if printer_job is not None:
                await self.printer.forget(printer_job)
        finally:
            path.unlink(missing_ok=True)

    async def end_call(self, call_id: int, *, finish_prints: bool = True) -> None:
        """Stops the call's scans and downloads, deletes its folder, and reports `wiped` (once per call)."""
        work = self.calls.pop(call_id, None)
        if work is not None:
            work.ended = True
            tasks = set(work.stoppable) | (set() if finish_prints else set(work.printing))
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            for printer_job in work.printed:
                await self.printer.forget(printer_job)
        already = call_id in self.ended_calls
        if not already:
            self.ended_calls.append(call_id)
        files = self.workdir.wipe(call_id)
        if files or not already:
            logger.info("call %s ended: wiped %d file(s)", call_id, files)
            await self.send({"type": "wiped", "call_id": call_id, "files": files})


def append_page(page, pdf, resolution: int) -> None:
    pages_to_pdf([page], pdf, resolution=resolution)
    page.unlink(missing_ok=True)


def scan_name(now: datetime) -> str:
    return f"Numérisation {now:%Y-%m-%d %Hh%M}.pdf"

"""Documents: a 10-page A4 scan at 300 dpi, from the kiosk's bridge to the agent's console.

A real server (uvicorn, SQLite, as `make serve` runs it), a real bridge (`visiorelais bridge`, SANE's `test`
backend through a private SANE_CONFIG_DIR, its feeder of 10 pages, 300 dpi greyscale, A4) and two WebSocket
clients: the kiosk's (it asks for the call) and the agent's console (it takes a station, accepts, and asks for each
scan: the remote scan of docs/documents.md). All on 127.0.0.1.

scan10_to_agent_p50_ms  median over SCANS scans (after one warm-up) of: from the end of scanning — the bridge's
                        log line « scan <id>: 10 page(s) scanned, uploading », written when every page is in its
                        PDF and just before the upload starts (its timestamp, to the millisecond) — to the console
                        client reading the `document` frame of that scan off its socket (time.time()): the upload,
                        the server's checks, sanitising, encryption and storage, and the event to the agent. Both
                        clocks are this machine's wall clock.
scan10_peak_mb          the server process's peak resident memory (VmHWM of /proc/<pid>/status) during those
                        uploads: the peak is reset (`5` written to /proc/<pid>/clear_refs) before each scan is asked
                        for and read after its `document` frame; the largest of the scans, in MB (10^6 bytes).

    python -c 'from bench import bench_documents as b; print(list(b.run()))'
"""

import asyncio
import datetime
import json
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

SCANS = 5
PAGES = 10
HEARTBEAT_SECONDS = 10.0


def vm_hwm_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def reset_peak(pid: int) -> bool:
    """Resets the process's peak RSS to its current RSS (Linux ≥ 4.0); False where it may not be written."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class Socket:
    """A WebSocket client that stamps every frame when it is read, and sends heartbeats."""

    def __init__(self, ws):
        self.ws = ws
        self.frames: asyncio.Queue[tuple[float, dict]] = asyncio.Queue()
        self.tasks = [asyncio.create_task(self._read()), asyncio.create_task(self._beat())]

    @classmethod
    async def open(cls, url: str, *, origin: str, cookie: str) -> "Socket":
        from websockets.asyncio.client import connect

        ws = await connect(url, origin=origin, additional_headers={"Cookie": cookie}, proxy=None, max_size=2**20)
        return cls(ws)

    async def _read(self) -> None:
        async for raw in self.ws:
            frame = json.loads(raw)
            if frame.get("type") != "heartbeat":
                await self.frames.put((time.time(), frame))

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            await self.send({"type": "heartbeat"})

    async def send(self, frame: dict) -> None:
        await self.ws.send(json.dumps(frame))

    async def expect(self, predicate, *, timeout: float = 60.0) -> tuple[float, dict]:
        deadline = time.monotonic() + timeout
        while True:
            at, frame = await asyncio.wait_for(self.frames.get(), max(deadline - time.monotonic(), 0.001))
            if frame.get("type") == "error" or (frame.get("type") == "scan" and frame.get("state") == "failed"):
                raise RuntimeError(f"the server said: {frame}")
            if predicate(frame):
                return at, frame

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await self.ws.close()


def bridge_scanned_at(log_path: Path, request_id: str) -> float:
    """When the bridge logged the end of scan `request_id` (its log's local time, to the millisecond)."""
    marker = f"scan {request_id}: "
    for line in log_path.read_text(errors="replace").splitlines():
        if marker in line and "scanned, uploading" in line:
            return datetime.datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()
    raise RuntimeError(f"the bridge did not log the end of scan {request_id}")


async def scans(server, bridge, *, kiosk_cookie: str, agent_cookie: str, station_id: int, partner_id: int) -> dict:
    origin = server.url
    console = await Socket.open(f"{server.ws_url}/ws/console/", origin=origin, cookie=agent_cookie)
    kiosk = await Socket.open(f"{server.ws_url}/ws/kiosk/", origin=origin, cookie=kiosk_cookie)
    try:
        await console.expect(lambda f: f["type"] == "snapshot")
        await kiosk.expect(lambda f: f["type"] == "snapshot")
        await console.send({"type": "station.take", "station_id": station_id})
        await console.expect(lambda f: f["type"] == "station" and f["station"]["state"] == "available")
        await kiosk.send({"type": "call.request", "partner_id": partner_id})
        _, offer = await console.expect(lambda f: f["type"] == "offer")
        call_id = offer["call"]["id"]
        await console.send({"type": "call.accept", "call_id": call_id})
        await console.expect(lambda f: f["type"] == "call" and f["call"]["status"] == "connected")
        samples, peaks, pages = [], [], []
        for index in range(SCANS + 1):
            peak_reset = reset_peak(server.pid)
            await console.send({"type": "scan.request", "call_id": call_id})
            _, asked = await console.expect(lambda f: f["type"] == "scan" and f["state"] == "requested")
            arrived, frame = await console.expect(
                lambda f: f["type"] == "document" and f["document"]["direction"] == "scan"
            )
            peak = vm_hwm_kb(server.pid)
            await console.expect(lambda f: f["type"] == "scan" and f["state"] in ("done", "failed"))
            if index == 0:
                continue  # the warm-up: first imports, first key use
            samples.append((arrived - bridge_scanned_at(bridge.log_path, asked["request_id"])) * 1000)
            if peak_reset:
                peaks.append(peak)
            pages.append(frame["document"]["pages"])
        await console.send({"type": "call.hangup", "call_id": call_id})
        await console.expect(lambda f: f["type"] == "call" and f["call"]["status"] == "ended")
    finally:
        await console.close()
        await kiosk.close()
    return {"samples": samples, "peaks_kb": peaks, "pages": pages}


def measure() -> dict:
    from bench._call_setup import setup_django
    from bench._servers import AsgiServer, wait_until

    work = Path(tempfile.mkdtemp(prefix="visiorelais-bench-documents-"))
    data_dir = work / "data"
    os.environ["PARTNERS_ALWAYS_OPEN"] = "1"
    setup_django(data_dir)
    from django.core.management import call_command
    from django.utils import timezone

    from tests.bridge.peripherals import SaneTestConfig
    from tests.e2e.harness.bridge import BridgeProcess
    from tests.e2e.harness.console_client import session_cookie_for
    from visiorelais.accounts.auth import KIOSK_COOKIE
    from visiorelais.accounts.models import PARTNER_ROLES, User
    from visiorelais.accounts.services import kiosk_enrol, kiosk_enrolment_issue
    from visiorelais.documents.models import PeripheralReport
    from visiorelais.network.models import Kiosk, Partner, Station

    call_command("demo-data", quiet=True)
    kiosk = Kiosk.objects.get(code="BRN-COUT-01")
    caf = Partner.objects.get(short_name="CAF")
    station = Station.objects.filter(partner=caf, active=True).order_by("pk").first()
    agent = User.objects.filter(partner=caf, role__in=PARTNER_ROLES, is_active=True).order_by("pk").first()
    server = AsgiServer(
        env={
            "VISIORELAIS_DATA_DIR": str(data_dir),
            "SECRET_KEY": os.environ["SECRET_KEY"],
            "PARTNERS_ALWAYS_OPEN": "1",
        },
        log_path=work / "uvicorn.log",
    )
    server.start()
    bridge = BridgeProcess(
        server.url, folder=work / "bridge", sane=SaneTestConfig(work / "sane"), cups=None, max_pages=PAGES
    )
    try:
        started = timezone.now()
        bridge.start(kiosk_enrolment_issue(kiosk=kiosk, issued_by=None)[1])
        # This bridge's own report (the demo data holds older ones): it is connected, and heard from now on.
        wait_until(
            lambda: PeripheralReport.objects.filter(
                kiosk=kiosk, last_seen_at__gte=started, scanner__ready=True, scanner__adf=True
            ).exists(),
            30,
            message="the bridge's health report (scanner with a feeder)",
        )
        raw = kiosk_enrol(code=kiosk_enrolment_issue(kiosk=kiosk, issued_by=None)[1])[1]
        result = asyncio.run(
            scans(
                server,
                bridge,
                kiosk_cookie=f"{KIOSK_COOKIE}={raw}",
                agent_cookie=session_cookie_for(agent),
                station_id=station.pk,
                partner_id=caf.pk,
            )
        )
    except BaseException:
        print(f"--- bridge log ---\n{bridge.log()}\n--- uvicorn log ---\n{server.log()[-4000:]}")
        raise
    finally:
        bridge.stop()
        server.stop()
    if set(result["pages"]) != {PAGES}:
        raise RuntimeError(f"expected {PAGES}-page scans, got {result['pages']}")
    return result


def run() -> Iterator[tuple[str, float, str]]:
    result = measure()
    yield ("scan10_to_agent_p50_ms", round(statistics.median(result["samples"])), "ms")
    if result["peaks_kb"]:
        yield ("scan10_peak_mb", round(max(result["peaks_kb"]) * 1024 / 1e6, 1), "MB")


if __name__ == "__main__":
    for name, value, unit in run():
        print(f"{name}: {value} {unit}")

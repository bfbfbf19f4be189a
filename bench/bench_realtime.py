"""Real-time figures of DESIGN.md ("Numbers to respect"), measured on real uvicorn processes and real sockets.

- fanout_*: 3,000 kiosks hold their socket (snapshot read, then idle); a CAF station changes state ten times (an agent
  takes it, then pauses and resumes it, through a console socket); each change's latency is the time from the change
  (its StationEvent.at, read under the partner lock just before commit, so an upper bound of commit → receipt) to
  the moment each kiosk received the `partner` frame of that change. p50 and p95 over every (kiosk, change).
- kiosk_conn_kb: the server's VmRSS after opening the idle kiosk sockets minus before, divided by their number,
  once RSS has settled.

Variants: one process with the in-memory layer, served as `make serve` serves (`--ws-per-message-deflate false`),
then with uvicorn's default (permessage-deflate negotiated, as a browser asks for it: `fanout_deflate_*`,
`kiosk_conn_kb_deflate`); then two processes behind Redis, served as `make serve` serves.

`run()` runs this module in a child process, which sets up its own Django (a private SQLite database in a temporary
VISIORELAIS_DATA_DIR), servers and client processes, stops them by pid, and prints figures only.
"""

import asyncio
import json
import multiprocessing
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._servers import AsgiServer, RedisServer, clean_environment, raise_open_files_limit, rss_kb, wait_until

KIOSKS = int(os.environ.get("BENCH_KIOSKS", "3000"))
CHANGES = 10
CLIENT_PROCESSES = 2
DEADLINE_SECONDS = 1800
ORIGIN = "http://127.0.0.1"
FIGURE = "FIGURE"


def run():
    """Yields (name, value, unit) as the child process prints them."""
    env = clean_environment()
    command = [sys.executable, "-m", "bench.bench_realtime"]
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[1]) as child:
        for line in child.stdout:
            if line.startswith(FIGURE):
                _, name, value, unit = line.split(maxsplit=3)
                yield name, value, unit.strip()
        child.wait(timeout=60)
    if child.returncode:
        raise RuntimeError(f"bench_realtime exited with {child.returncode}")


def note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def figure(name: str, value: float, unit: str) -> None:
    print(f"{FIGURE} {name} {value:.1f} {unit}", flush=True)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# The kiosk side: a process holding many sockets, reporting through a pipe.


async def pipe_message(pipe, timeout: float):
    """The next message on `pipe` within `timeout` seconds (TimeoutError otherwise), without blocking the loop
    or leaving a thread stuck in recv()."""
    loop = asyncio.get_running_loop()
    deadline = time.monotonic() + timeout
    while not await loop.run_in_executor(None, pipe.poll, 0.5):
        if time.monotonic() > deadline:
            raise TimeoutError(f"no message within {timeout} s")
    return pipe.recv()


def kiosk_crowd(url: str, cookie_name: str, tokens: list[str], pipe) -> None:
    """Opens one kiosk socket per token to `url`, reads each snapshot, then records when each `partner` frame came.

    Messages to the orchestrator: ("ready", opened, failed), ("seq", seq) once every socket got that seq, and
    ("times", {seq: [receipt times]}) when told "stop".
    """
    import uvloop

    uvloop.run(_crowd(url, cookie_name, tokens, pipe))


async def _crowd(url: str, cookie_name: str, tokens: list[str], pipe) -> None:
    from websockets.asyncio.client import connect

    received: dict[int, list[float]] = {}
    gate = asyncio.Semaphore(50)
    sockets = []
    listeners = []

    async def one(token: str) -> bool:
        async with gate:
            try:
                socket = await connect(
                    f"{url}/ws/kiosk/",
                    origin=ORIGIN,
                    additional_headers={"Cookie": f"{cookie_name}={token}"},
                    proxy=None,
                    open_timeout=120,
                    ping_interval=None,
                )
                snapshot = json.loads(await asyncio.wait_for(socket.recv(), 120))
            except (OSError, TimeoutError) as error:
                note(f"kiosk socket failed: {error!r}")
                return False
        assert snapshot["type"] == "snapshot"
        sockets.append(socket)
        listeners.append(asyncio.create_task(listen(socket)))
        return True

    opened = 0

    async def listen(socket) -> None:
        async for message in socket:
            at = time.time()
            frame = json.loads(message)
            if frame["type"] == "partner":
                times = received.setdefault(frame["seq"], [])
                times.append(at)
                if len(times) == opened:
                    pipe.send(("seq", frame["seq"]))

    results = await asyncio.gather(*(one(token) for token in tokens))
    opened = sum(results)
    pipe.send(("ready", opened, len(tokens) - opened))
    assert await pipe_message(pipe, 3600) == "stop"
    pipe.send(("times", received))
    await asyncio.gather(*(socket.close() for socket in sockets), return_exceptions=True)


# The orchestrator (the child process of run()).


def setup_django(data_dir: Path) -> None:
    os.environ.update(
        VISIORELAIS_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="visiorelais.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="1",
        ALLOWED_HOSTS="127.0.0.1",
        PARTNERS_ALWAYS_OPEN="1",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_network(count: int) -> dict:
    """CAF open to every kiosk, one station and its agent, `count` enrolled kiosks. Returns tokens and session."""
    from django.test import Client

    from visiorelais.accounts.models import KioskToken, Role, User
    from visiorelais.accounts.services import secret_hash
    from visiorelais.network.models import Entitlement, HostAuthority, HostSite, Kiosk, Partner, Station

    authority = HostAuthority.objects.create(name="Manche", kind=HostAuthority.Kind.INTERCOMMUNALITY)
    site = HostSite.objects.create(
        authority=authority, name="France Services", kind=HostSite.Kind.FRANCE_SERVICES, commune="Coutances"
    )
    caf = Partner.objects.create(name="Caisse d'allocations familiales", short_name="CAF")
    station = Station.objects.create(partner=caf, label="CAF poste 1")
    Entitlement.objects.create(partner=caf, kiosk=None, mode=Entitlement.Mode.WALK_IN)
    kiosks = Kiosk.objects.bulk_create(
        Kiosk(site=site, code=f"BRN-BENCH-{n:05}", label=f"Borne {n}") for n in range(count)
    )
    tokens = [secrets.token_urlsafe(32) for _ in kiosks]
    KioskToken.objects.bulk_create(
        KioskToken(kiosk=kiosk, token_hash=secret_hash(token), prefix=token[:8])
        for kiosk, token in zip(kiosks, tokens, strict=True)
    )
    agent = User.objects.create_user(
        "agent-caf", password=secrets.token_urlsafe(), role=Role.PARTNER_AGENT, partner=caf
    )
    client = Client()
    client.force_login(agent)
    return {"tokens": tokens, "session": client.cookies["sessionid"].value, "station_id": station.pk}


def settled_rss(pid: int, *, timeout: float = 60.0) -> int:
    """VmRSS once three samples 0.5 s apart differ by less than 1 %."""
    samples: list[int] = []

    def stable() -> int:
        samples.append(rss_kb(pid))
        last = samples[-3:]
        return len(last) == 3 and max(last) - min(last) < 0.01 * max(last) and last[-1]

    return wait_until(stable, timeout, interval=0.5, message=f"RSS of {pid} to settle")


async def drive_station(url: str, session: str, station_id: int, crowd_pipes, changes: int) -> list[int]:
    """Makes `changes` changes to the station through an agent's console socket; after each, waits until every
    kiosk got the change's `partner` frame. Returns the seq of each change."""
    from websockets.asyncio.client import connect

    moves = [{"type": "station.take", "station_id": station_id}]
    moves += [{"type": "station.pause"} if n % 2 else {"type": "station.available"} for n in range(1, changes)]
    seqs = []
    async with connect(
        f"{url}/ws/console/", origin=ORIGIN, additional_headers={"Cookie": f"sessionid={session}"}, proxy=None
    ) as console:
        last_seq = json.loads(await console.recv())["seq"]
        for move in moves:
            # A heartbeat first: a console silent for PRESENCE_TIMEOUT_SECONDS loses its station.
            await console.send(json.dumps({"type": "heartbeat"}))
            await console.send(json.dumps(move))
            for _ in range(100):
                frame = json.loads(await asyncio.wait_for(console.recv(), 30))
                assert frame["type"] != "error", frame
                if frame["type"] == "station" and frame["seq"] > last_seq:
                    last_seq = frame["seq"]
                    break
            else:
                raise AssertionError(f"no station frame after {move}")
            seqs.append(last_seq)
            for pipe in crowd_pipes:
                message = await pipe_message(pipe, 60)
                assert message == ("seq", last_seq), message
            note(f"change {len(seqs)} (seq {last_seq}) seen by every kiosk")
    return seqs


def change_times(station_id: int) -> list[float]:
    from visiorelais.calls.models import StationEvent

    events = StationEvent.objects.filter(station_id=station_id).order_by("id")
    return [at.timestamp() for at in events.values_list("at", flat=True)]


def reset_station(station_id: int) -> None:
    """Back to offline with no history, so that each variant starts from the same place."""
    from visiorelais.calls.models import PartnerQueue, StationEvent, StationPresence

    StationPresence.objects.filter(station_id=station_id).delete()
    StationEvent.objects.filter(station_id=station_id).delete()
    PartnerQueue.objects.all().update(seq=0)


def measure(label: str, servers: list[AsgiServer], network: dict, *, memory: bool) -> dict[str, float]:
    """Opens the kiosk crowd (half on each server when there are two), then drives the station."""
    from visiorelais.accounts.auth import KIOSK_COOKIE

    context = multiprocessing.get_context("spawn")
    tokens = network["tokens"]
    before = {server.pid: settled_rss(server.pid) for server in servers} if memory else {}
    crowds, pipes = [], []
    for n in range(CLIENT_PROCESSES):
        mine, theirs = context.Pipe()
        server = servers[n % len(servers)]
        share = tokens[n::CLIENT_PROCESSES]
        process = context.Process(target=kiosk_crowd, args=(server.ws_url, KIOSK_COOKIE, share, theirs))
        process.start()
        crowds.append(process)
        pipes.append(mine)
    try:
        started = time.monotonic()
        opened = 0
        for pipe in pipes:
            assert pipe.poll(600), "kiosk sockets took more than 10 minutes to open"
            kind, ok, failed = pipe.recv()
            assert kind == "ready" and not failed, f"{failed} kiosk sockets failed"
            opened += ok
        note(f"{label}: {opened} kiosk sockets open in {time.monotonic() - started:.0f} s")
        figures = {}
        if memory:
            grown = sum(settled_rss(server.pid) - before[server.pid] for server in servers)
            figures["kiosk_conn_kb"] = grown / opened
        try:
            seqs = asyncio.run(
                drive_station(servers[0].ws_url, network["session"], network["station_id"], pipes, CHANGES)
            )
        finally:
            for pipe in pipes:
                pipe.send("stop")
            received: dict[int, list[float]] = {}
            for pipe in pipes:
                assert pipe.poll(60)
                kind, times = pipe.recv()
                for seq, values in times.items():
                    received.setdefault(seq, []).extend(values)
            note(f"{label}: frames received per seq: { {seq: len(v) for seq, v in sorted(received.items())} }")
        changed = change_times(network["station_id"])
        latencies = [(at - change) * 1000 for seq, change in zip(seqs, changed, strict=True) for at in received[seq]]
        assert len(latencies) == CHANGES * opened
        figures["p50_ms"] = statistics.median(latencies)
        figures["p95_ms"] = percentile(latencies, 0.95)
        figures["max_ms"] = max(latencies)
        note(f"{label}: {figures}")
        return figures
    finally:
        for process in crowds:
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()
                process.join(timeout=10)
        reset_station(network["station_id"])


def main() -> int:
    # Bounded in time; SIGTERM and SIGALRM unwind through the `finally` blocks that stop every child by pid.
    for sig in (signal.SIGTERM, signal.SIGALRM):
        signal.signal(sig, lambda number, frame: sys.exit(f"stopped by signal {number}"))
    signal.alarm(DEADLINE_SECONDS)
    raise_open_files_limit(4 * KIOSKS + 1024)
    with tempfile.TemporaryDirectory(prefix="visiorelais-bench-") as tmp:
        work = Path(tmp)
        setup_django(work / "data")
        network = make_network(KIOSKS)
        env = {
            "VISIORELAIS_DATA_DIR": str(work / "data"),
            "SECRET_KEY": os.environ["SECRET_KEY"],
            "PARTNERS_ALWAYS_OPEN": "1",
            "LOG_LEVEL": "WARNING",
        }
        # As served (make serve, make demo, docs/configuration.md): permessage-deflate off. Then uvicorn's default,
        # which compresses each frame once per socket, for comparison.
        variants = [
            ("fanout", ["--ws-per-message-deflate", "false"], ""),
            ("fanout_deflate", [], "_deflate"),
        ]
        for prefix, args, suffix in variants:
            server = AsgiServer(env=env, log_path=work / f"{prefix}.log", uvicorn_args=args)
            server.start()
            try:
                figures = measure(prefix, [server], network, memory=True)
            except Exception:
                note(server.log())
                raise
            finally:
                server.stop()
            figure(f"{prefix}_p50_ms", figures["p50_ms"], "ms")
            figure(f"{prefix}_p95_ms", figures["p95_ms"], "ms")
            figure(f"kiosk_conn_kb{suffix}", figures["kiosk_conn_kb"], "KB")

        redis = RedisServer(work_dir=work / "redis")
        redis.start()
        # As served with REDIS_URL: settings.CHANNEL_LAYERS lifts redis-py 8's 5 s socket timeout, which would cut
        # channels_redis's 5 s BZPOPMIN and drop the idle crowd (django/channels_redis#422).
        redis_env = {**env, "REDIS_URL": redis.url}
        pair = [
            AsgiServer(env=redis_env, log_path=work / f"redis-{n}.log", uvicorn_args=variants[0][1]) for n in range(2)
        ]
        try:
            for server in pair:
                server.start()
            figures = measure("fanout_redis", pair, network, memory=False)
            figure("fanout_redis_p50_ms", figures["p50_ms"], "ms")
            figure("fanout_redis_p95_ms", figures["p95_ms"], "ms")
        except Exception:
            for server in pair:
                note(server.log())
            raise
        finally:
            for server in pair:
                server.stop()
            redis.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

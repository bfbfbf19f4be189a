"""The ASGI lifespan of one server process: starts and stops its periodic sweeper.

Every process runs the sweeper; the services it calls lock the rows they change, so two processes sweeping
at once do the work once. It expires rings past their deadline (the ring timeout), takes out consoles and
kiosks whose heartbeats stopped (presence expiry), every few minutes purges the documents past their
partner's retention (safe to run twice: `visiorelais purge-documents` does the same from cron), and every few
minutes brings the statistics up to the event record (one process at a time: `refresh-statistics` does the same).
"""

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable

from channels.db import database_sync_to_async

logger = logging.getLogger(__name__)

SWEEP_INTERVAL_SECONDS = float(os.environ.get("VISIORELAIS_SWEEP_INTERVAL", "1.0"))
# Documents past their partner's retention are purged this often (the purge-documents command does the same).
PURGE_INTERVAL_SECONDS = float(os.environ.get("VISIORELAIS_PURGE_INTERVAL", "300"))
# The statistics' tables are refreshed this often (the refresh-statistics command does the same); 0 turns it off.
STATS_REFRESH_INTERVAL_SECONDS = float(os.environ.get("VISIORELAIS_STATS_REFRESH_INTERVAL", "300"))


def sweep_once() -> None:
    from visiorelais.calls.services import call_expire_rings, presence_expire

    call_expire_rings()
    presence_expire()


def purge_once() -> None:
    from visiorelais.documents.services import documents_purge

    documents_purge()


def stats_refresh_once() -> None:
    from visiorelais.statistics.services import call_facts_refresh_unless_running

    call_facts_refresh_unless_running()


async def _pause(stopping: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), seconds)


async def every(stopping: asyncio.Event, interval: float, work: Callable[[], None]) -> None:
    """Runs `work` now and then every `interval` seconds until `stopping`, each time in a worker thread between
    fresh database connections (Channels' database_sync_to_async). A failure is logged and the next pass retries:
    a database hiccup must not end the loop. Each job has a loop of its own, so a statistics refresh that takes
    seconds never delays the ring expiry."""
    while not stopping.is_set():
        try:
            await database_sync_to_async(work, thread_sensitive=False)()
        except Exception:
            logger.exception("%s failed", work.__name__)
        await _pause(stopping, interval)


async def lifespan_app(scope, receive, send) -> None:
    """ASGI lifespan protocol: start the periodic jobs on startup; on shutdown, stop them and wait for the pass
    in flight, whose thread would otherwise outlive the loop with a database
    connection open."""
    stopping = asyncio.Event()
    tasks: list[asyncio.Task] = []
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            if os.environ.get("VISIORELAIS_SWEEPER", "1") != "0":
                jobs = [(SWEEP_INTERVAL_SECONDS, sweep_once), (PURGE_INTERVAL_SECONDS, purge_once)]
                if STATS_REFRESH_INTERVAL_SECONDS > 0:
                    jobs.append((STATS_REFRESH_INTERVAL_SECONDS, stats_refresh_once))
                tasks += [asyncio.create_task(every(stopping, interval, work)) for interval, work in jobs]
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            stopping.set()
            await asyncio.gather(*tasks, return_exceptions=True)
            await send({"type": "lifespan.shutdown.complete"})
            return

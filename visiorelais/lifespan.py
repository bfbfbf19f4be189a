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

from asgiref.sync import sync_to_async
from django.db import close_old_connections

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


async def in_worker_thread(work: Callable[[], None]) -> None:
    """Runs `work` in a worker thread between fresh database connections: none is left open in the thread."""

    def run() -> None:
        close_old_connections()
        try:
            work()
        finally:
            close_old_connections()

    await sync_to_async(run, thread_sensitive=False)()


async def _pause(stopping: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), seconds)


async def stats_refresher(stopping: asyncio.Event, interval: float = STATS_REFRESH_INTERVAL_SECONDS) -> None:
    """A loop of its own: a refresh can take seconds, and the sweeper's ring expiry must not wait for it."""
    while not stopping.is_set():
        try:
            await in_worker_thread(stats_refresh_once)
        except Exception:
            logger.exception("statistics refresh failed")
        await _pause(stopping, interval)


async def sweeper(
    stopping: asyncio.Event, interval: float = SWEEP_INTERVAL_SECONDS, purge_interval: float = PURGE_INTERVAL_SECONDS
) -> None:
    loop = asyncio.get_running_loop()
    next_purge = loop.time()
    while not stopping.is_set():
        try:
            await in_worker_thread(sweep_once)
            if loop.time() >= next_purge:
                next_purge = loop.time() + purge_interval
                await in_worker_thread(purge_once)
        except Exception:
            # A database hiccup must not kill the loop; the next pass retries.
            logger.exception("sweep failed")
        await _pause(stopping, interval)


async def lifespan_app(scope, receive, send) -> None:
    """ASGI lifespan protocol: start the sweeper (and the statistics refresher) on startup; on shutdown, stop
    them and wait for the pass in flight, whose thread would otherwise outlive the loop with a database
    connection open."""
    stopping = asyncio.Event()
    tasks: list[asyncio.Task] = []
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            if os.environ.get("VISIORELAIS_SWEEPER", "1") != "0":
                tasks.append(asyncio.create_task(sweeper(stopping)))
                if STATS_REFRESH_INTERVAL_SECONDS > 0:
                    tasks.append(asyncio.create_task(stats_refresher(stopping)))
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            stopping.set()
            await asyncio.gather(*tasks, return_exceptions=True)
            await send({"type": "lifespan.shutdown.complete"})
            return

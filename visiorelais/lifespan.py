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

    close_old_connections()
    try:
        call_expire_rings()
        presence_expire()
    finally:
        close_old_connections()


def purge_once() -> None:
    from visiorelais.documents.services import documents_purge

    close_old_connections()
    try:
        documents_purge()
    finally:
        close_old_connections()


def stats_refresh_once() -> None:
    from visiorelais.statistics.services import call_facts_refresh_unless_running

    close_old_connections()
    try:
        call_facts_refresh_unless_running()
    finally:
        close_old_connections()


async def _pause(stopping: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), seconds)


async def stats_refresher(stopping: asyncio.Event, interval: float = STATS_REFRESH_INTERVAL_SECONDS) -> None:
    """A loop of its own: a refresh can take seconds, and the sweeper's ring expiry must not wait for it."""
    while not stopping.is_set():
        try:
            await sync_to_async(stats_refresh_once, thread_sensitive=False)()
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
            await sync_to_async(sweep_once, thread_sensitive=False)()
            if loop.time() >= next_purge:
                next_purge = loop.time() + purge_interval
                await sync_to_async(purge_once, thread_sensitive=False)()
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

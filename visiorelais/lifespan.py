"""The ASGI lifespan of one server process: starts and stops its periodic sweeper.

Every process runs the sweeper; the services it calls lock the rows they change, so two processes sweeping
at once do the work once. It expires rings past their deadline (the ring timeout), takes out consoles and
kiosks whose heartbeats stopped (presence expiry), and every few minutes purges the documents past their
partner's retention (safe to run twice: `visiorelais purge-documents` does the same from cron).
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


async def sweeper(interval: float = SWEEP_INTERVAL_SECONDS, purge_interval: float = PURGE_INTERVAL_SECONDS) -> None:
    loop = asyncio.get_running_loop()
    next_purge = loop.time()
    while True:
        try:
            await sync_to_async(sweep_once, thread_sensitive=False)()
            if loop.time() >= next_purge:
                next_purge = loop.time() + purge_interval
                await sync_to_async(purge_once, thread_sensitive=False)()
        except Exception:
            # A database hiccup must not kill the loop; the next pass retries.
            logger.exception("sweep failed")
        await asyncio.sleep(interval)


async def lifespan_app(scope, receive, send) -> None:
    """ASGI lifespan protocol: start the sweeper on startup, cancel it on shutdown."""
    task: asyncio.Task | None = None
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            if os.environ.get("VISIORELAIS_SWEEPER", "1") != "0":
                task = asyncio.create_task(sweeper())
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await send({"type": "lifespan.shutdown.complete"})
            return

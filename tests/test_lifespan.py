"""The server process's sweeper, run through the ASGI lifespan protocol as uvicorn runs it."""

import asyncio
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from visiorelais.calls.models import KioskPresence
from visiorelais.calls.services import presence_heartbeat
from visiorelais.lifespan import lifespan_app
from visiorelais.statistics.models import StatisticsRefresh

pytestmark = pytest.mark.django_db(transaction=True)


async def test_the_sweeper_runs_from_startup_to_shutdown(world):
    await sync_to_async(presence_heartbeat)(kiosk=world.kiosk_coutances)
    await KioskPresence.objects.filter(kiosk=world.kiosk_coutances).aupdate(
        last_heartbeat=timezone.now() - timedelta(minutes=5)
    )
    inbox: asyncio.Queue = asyncio.Queue()
    outbox: asyncio.Queue = asyncio.Queue()
    app = asyncio.create_task(lifespan_app({"type": "lifespan"}, inbox.get, outbox.put))
    await inbox.put({"type": "lifespan.startup"})
    assert (await asyncio.wait_for(outbox.get(), 10))["type"] == "lifespan.startup.complete"

    async def kiosk_taken_out() -> None:
        while await KioskPresence.objects.filter(kiosk=world.kiosk_coutances, online=True).aexists():
            await asyncio.sleep(0.05)

    async def statistics_refreshed() -> None:
        while not await StatisticsRefresh.objects.aexists():
            await asyncio.sleep(0.05)

    # The silent kiosk is taken out by the sweeper, and the statistics refreshed, with no call from the test.
    await asyncio.wait_for(kiosk_taken_out(), 10)
    await asyncio.wait_for(statistics_refreshed(), 10)
    await inbox.put({"type": "lifespan.shutdown"})
    assert (await asyncio.wait_for(outbox.get(), 10))["type"] == "lifespan.shutdown.complete"
    await asyncio.wait_for(app, 5)

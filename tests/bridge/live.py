"""A live server for the bridge's end-to-end tests: uvicorn serving visiorelais.asgi:application inside the test's
own event loop, on 127.0.0.1 and a free port.

In-process, it shares the test's database (pytest-django's, SQLite or PostgreSQL, with `transactional_db`) and
its in-memory channel layer, so a test can call a documents service (`scan_request`) and the bridge hears it,
on every run of the suite. The bridge runs beside it, as a task of the same loop or as a real `visiorelais
bridge` process. Nothing in the test may block the loop: ORM calls go through database_sync_to_async.
"""

import asyncio
import contextlib

import uvicorn
from channels.db import database_sync_to_async

from visiorelais.asgi import application

LOOPBACK = "127.0.0.1"


class LiveServer:
    def __init__(self):
        self.server: uvicorn.Server | None = None
        self.task: asyncio.Task | None = None
        self.port: int = 0  # chosen by the first start, kept by the next ones (a restart under the clients)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    async def start(self, *, timeout: float = 10.0) -> None:
        config = uvicorn.Config(
            application, host=LOOPBACK, port=self.port, lifespan="off", log_level="warning", ws_max_size=65536
        )
        self.server = uvicorn.Server(config)
        self.task = asyncio.create_task(self.server.serve())
        async with asyncio.timeout(timeout):
            while not self.server.started:
                if self.task.done():
                    self.task.result()  # raises what stopped it
                await asyncio.sleep(0.01)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self.server is not None and self.task is not None:
            self.server.should_exit = True
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self.task, 10)


async def eventually(read, *, timeout: float = 20.0, message: str = ""):
    """Polls `read` (sync: an ORM read or a look at a folder, run in a thread) until it returns a truthy value;
    AssertionError after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = await database_sync_to_async(read)()
        if value:
            return value
        if loop.time() >= deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {message or read}; last: {value!r}")
        await asyncio.sleep(0.05)

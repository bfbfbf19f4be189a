"""Wrong check-in codes across two server processes (PostgreSQL + Redis): the count of a kiosk's wrong codes lives
in the shared cache (CACHES on REDIS_URL), so a kiosk whose sockets land on either process is held back after
WRONG_CODE_LIMIT wrong codes in all, not that many per process."""

import asyncio

import pytest

from tests.multiprocess.clients import Client, kiosk_cookie
from tests.multiprocess.conftest import NEEDS_POSTGRES, enrolled_token
from visiorelais.calls.consumers.kiosk_scheduling import WRONG_CODE_LIMIT

pytestmark = [NEEDS_POSTGRES, pytest.mark.django_db(transaction=True)]

UNKNOWN_CODE = "222222"


async def check_in(kiosk: Client, code: str) -> dict:
    await kiosk.send({"type": "appointment.check_in", "code": code})
    return await kiosk.expect(lambda frame: frame["type"] == "error")


def test_wrong_codes_typed_through_both_servers_are_counted_together(world, servers):
    server_a, server_b = servers
    token = enrolled_token(world.kiosk_coutances, issued_by=world.olivia)

    async def scenario() -> tuple[list[str], str, str]:
        on_a = Client(f"{server_a.ws_url}/ws/kiosk/", kiosk_cookie(token), name="kiosk@A")
        on_b = Client(f"{server_b.ws_url}/ws/kiosk/", kiosk_cookie(token), name="kiosk@B")
        try:
            await on_a.start()
            await on_b.start()
            # Half the wrong codes through each process, one after the other.
            answers = [
                (await check_in(on_a if attempt % 2 == 0 else on_b, UNKNOWN_CODE))["code"]
                for attempt in range(WRONG_CODE_LIMIT)
            ]
            held_on_a = (await check_in(on_a, UNKNOWN_CODE))["code"]
            held_on_b = (await check_in(on_b, UNKNOWN_CODE))["code"]
            return answers, held_on_a, held_on_b
        finally:
            await on_a.stop()
            await on_b.stop()

    answers, held_on_a, held_on_b = asyncio.run(asyncio.wait_for(scenario(), 60))

    assert answers == ["code_unknown"] * WRONG_CODE_LIMIT
    assert (held_on_a, held_on_b) == ("too_many_codes", "too_many_codes")

"""The live call with aiortc playing the agent: a Python console client over the WebSocket, a real Chromium kiosk.

The client speaks docs/realtime.md as the console page does (take a station, accept the offer, offer the media,
relay signals), which proves the protocol is enough without the console's own script.
"""

import pytest
from playwright.sync_api import expect

from tests.e2e.harness import enrol_kiosk, wait_until
from tests.e2e.harness.console_client import ConsoleClient, session_cookie_for
from tests.e2e.harness.screens import KioskScreen
from visiorelais.calls.models import Call, CallEvent

MEDIA_TIMEOUT = 20.0


@pytest.fixture
def agent_client(asgi_server, aio, world):
    client = ConsoleClient(
        aio, ws_url=asgi_server.ws_url, origin=asgi_server.url, cookie=session_cookie_for(world.alice)
    )
    yield client
    client.close()


def test_an_aiortc_agent_takes_a_kiosk_call_over_the_console_protocol(
    asgi_server, world, new_page, agent_client, new_aiortc_peer
):
    snapshot = agent_client.expect(lambda frame: frame["type"] == "snapshot")
    assert snapshot["my_station"] is None
    agent_client.send({"type": "station.take", "station_id": world.caf_station_1.pk})
    agent_client.expect(
        lambda frame: frame["type"] == "station" and frame["station"]["state"] == "available", what="station taken"
    )
    page = new_page(name="kiosk")
    enrol_kiosk(page, world.kiosk_coutances, origin=asgi_server.url)
    kiosk = KioskScreen(page).open()
    kiosk.expect_partner_state("CAF", "available")

    kiosk.call("CAF")

    ringing = agent_client.expect(lambda frame: frame["type"] == "offer", what="offer (ringing)")["call"]
    assert (ringing["kiosk_code"], ringing["ice_servers"]) == ("BRN-COUT-01", None)
    agent_client.send({"type": "call.accept", "call_id": ringing["id"]})
    call = agent_client.expect(
        lambda frame: frame["type"] == "call" and frame["call"]["status"] == "connected", what="connected call"
    )["call"]
    assert call["ice_transport_policy"] == "all"
    assert any(url.startswith("turn:") for server in call["ice_servers"] for url in server["urls"])
    # Explicit ICE servers, those of the call frame: aiortc would otherwise ask a public STUN server.
    peer = new_aiortc_peer(ice_servers=call["ice_servers"])
    agent_client.relay_to(peer, call["id"])
    agent_client.offer()

    kiosk.expect_in_call()
    wait_until(
        lambda: kiosk.frames_decoded() > 0 and peer.frames_received > 0, MEDIA_TIMEOUT, message="video both ways"
    )
    expect(kiosk.by_testid("call-agent-name")).to_have_text("Alice")
    assert agent_client.signals_applied > 0  # the kiosk's answer at least went through the server

    agent_client.send({"type": "call.hangup", "call_id": call["id"]})

    kiosk.expect_screen("rating")
    ended = agent_client.expect(
        lambda frame: frame["type"] == "call" and frame["call"]["status"] == "ended", what="ended call"
    )["call"]
    assert ended["outcome"] == "completed"
    recorded = Call.objects.get(pk=call["id"])
    assert (recorded.status, recorded.outcome, recorded.end_reason) == ("ended", "completed", "hung_up_by_agent")
    kinds = list(CallEvent.objects.filter(call=recorded).order_by("at", "id").values_list("kind", flat=True))
    assert kinds == ["requested", "queued", "offered", "accepted", "connected", "ended"]

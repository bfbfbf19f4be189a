"""An ICE failure mid-call triggers an ICE restart, and the media comes back on its own.

The call is forced through coturn (relay only); stopping coturn cuts the media until the connection fails. Started
again on the same port (same static secret, so the call's TURN credentials stay valid), coturn lets the ICE restart
that peer.js makes on failure gather new relay candidates. The call stays the same call in the database throughout.
"""

import re

from tests.e2e.harness import selected_candidate_pair, wait_until
from tests.e2e.test_call import connect_call, open_console, open_kiosk
from visiorelais.calls.models import Call

# Chromium declares the connection failed once its consent checks have gone unanswered (about 16 s here).
FAILURE_TIMEOUT = 90.0
# From the failure to media again: the restart offer, new TURN allocations, checks, DTLS (retried every 5 s).
RECOVERY_TIMEOUT = 60.0
CONNECTED = ("connected", "completed")

_STATES = "() => { const pc = window.__visiorelaisPeer; return pc ? [pc.iceConnectionState, pc.connectionState] : []; }"
_LOCAL_SDP = "() => window.__visiorelaisPeer && window.__visiorelaisPeer.localDescription?.sdp || ''"


def states(screen) -> list[str]:
    return screen.page.evaluate(_STATES)


def local_ufrag(screen) -> str | None:
    match = re.search(r"^a=ice-ufrag:(\S+)", screen.page.evaluate(_LOCAL_SDP), re.MULTILINE)
    return match.group(1) if match else None


def test_an_ice_failure_restarts_ice_and_the_media_comes_back_through_coturn(serve_with, world, new_page, turn_server):
    asgi_server = serve_with(ICE_TRANSPORT_POLICY="relay")
    console = open_console(new_page, asgi_server, world.alice)
    console.take_station(world.caf_station_1)
    kiosk = open_kiosk(new_page, asgi_server, world.kiosk_coutances)
    call = connect_call(world, kiosk, console)
    ufrags_before = (local_ufrag(kiosk), local_ufrag(console))
    assert all(ufrags_before), ufrags_before
    try:
        turn_server.stop()
        wait_until(
            lambda: any("failed" in states(screen) for screen in (kiosk, console)),
            FAILURE_TIMEOUT,
            message="the connection of a page to fail without coturn",
        )
        turn_server.start()  # the same port and secret
        wait_until(
            lambda: local_ufrag(kiosk) != ufrags_before[0] and local_ufrag(console) != ufrags_before[1],
            RECOVERY_TIMEOUT,
            message="an ICE restart: new local ICE credentials on both pages",
        )
        # Nothing flowed since the relay went away: frames decoded from now on came through the restarted ICE.
        kiosk_frames, console_frames = kiosk.frames_decoded(), console.frames_decoded()
        wait_until(
            lambda: (
                states(kiosk)[0] in CONNECTED
                and states(console)[0] in CONNECTED
                and kiosk.frames_decoded() > kiosk_frames
                and console.frames_decoded() > console_frames
            ),
            RECOVERY_TIMEOUT,
            message="ICE connected again and new frames decoded on both pages",
        )
    finally:
        if not (turn_server.process and turn_server.process.poll() is None):
            turn_server.start()  # the session's coturn serves the next tests
    for screen in (kiosk, console):
        pair = selected_candidate_pair(screen.page)
        assert (pair["local"]["type"], pair["remote"]["type"]) == ("relay", "relay"), pair
    call.refresh_from_db()
    assert call.status == Call.Status.CONNECTED
    assert Call.objects.filter(kiosk=world.kiosk_coutances).count() == 1

"""The live call between two real Chromium pages: a kiosk and an agent's console, on the live server.

Each journey is what a resident and an agent do, through the screens; what was recorded is read from the database.
"""

import pytest
from playwright.sync_api import expect

from tests.e2e.harness import (
    enrol_kiosk,
    login,
    selected_candidate_pair,
    wait_until,
)
from tests.e2e.harness.screens import ConsoleScreen, KioskScreen
from visiorelais.calls.models import Call, CallEvent

MEDIA_TIMEOUT = 20.0
# After a rating the kiosk thanks the resident for 3 s, then wipes itself and reloads.
WIPE_TIMEOUT_MS = 15_000


def event_kinds(call: Call) -> list[str]:
    return list(CallEvent.objects.filter(call=call).order_by("at", "id").values_list("kind", flat=True))


def wait_for_status(call: Call, status: str, *, timeout: float = 10.0) -> Call:
    """The call as the database has it once its status is `status` (the screens act before the server records)."""

    def reached():
        call.refresh_from_db()
        return call.status == status

    wait_until(reached, timeout, message=f"call {call.pk} to be {status}")
    return call


def open_console(new_page, asgi_server, agent) -> ConsoleScreen:
    page = new_page(name="agent")
    login(page, agent, origin=asgi_server.url)
    return ConsoleScreen(page).open()


def open_kiosk(new_page, asgi_server, kiosk) -> KioskScreen:
    page = new_page(name="kiosk")
    enrol_kiosk(page, kiosk, origin=asgi_server.url)
    return KioskScreen(page).open()


def connect_call(world, kiosk: KioskScreen, console: ConsoleScreen) -> Call:
    """The agent is seated and available, the kiosk calls CAF, the agent accepts: returns the connected call."""
    kiosk.expect_partner_state("CAF", "available")
    kiosk.call("CAF")
    console.expect_ringing()
    console.accept()
    kiosk.expect_in_call()
    wait_until(
        lambda: kiosk.frames_decoded() > 0 and console.frames_decoded() > 0, MEDIA_TIMEOUT, message="video both ways"
    )
    return Call.objects.get(kiosk=world.kiosk_coutances, status=Call.Status.CONNECTED)


def expect_wiped(kiosk: KioskScreen) -> None:
    """Back home after the wipe, with nothing of the call left: storage, video sources, words on screen."""
    kiosk.expect_screen("home", timeout=WIPE_TIMEOUT_MS)
    assert kiosk.storage_sizes() == (0, 0)
    assert kiosk.videos_with_a_source() == 0
    assert kiosk.page.evaluate("() => window.__visiorelaisPeer === undefined")
    assert kiosk.body.get_attribute("data-call-status") in (None, "")
    for testid in ("call-agent-name", "waiting-status", "waiting-position", "announcer", "ended-message"):
        expect(kiosk.by_testid(testid)).to_be_empty()


@pytest.mark.parametrize("hung_up_by", ["kiosk", "agent"])
def test_a_resident_queues_talks_to_the_caf_agent_rates_and_the_kiosk_forgets_everything(
    asgi_server, world, new_page, hung_up_by
):
    console = open_console(new_page, asgi_server, world.alice)
    console.take_station(world.caf_station_1)
    # Paused (still staffed): the call waits in the queue until the agent is ready.
    console.pause()
    kiosk = open_kiosk(new_page, asgi_server, world.kiosk_coutances)

    kiosk.call("CAF", topic=world.caf_topic)

    kiosk.expect_call_status("queued")
    expect(kiosk.by_testid("waiting-position")).to_have_text("Vous êtes la prochaine personne.")
    call = Call.objects.get(kiosk=world.kiosk_coutances)
    queued = console.by_testid(f"queue-item-{call.pk}")
    expect(queued).to_contain_text("France Services de Coutances")
    expect(queued).to_contain_text("Prime d'activité")

    console.make_available()
    console.expect_ringing()
    expect(console.by_testid("ringing-site")).to_contain_text("Coutances")
    expect(console.by_testid("ringing-topic")).to_have_text("Prime d'activité")
    kiosk.expect_call_status("offered")
    console.accept()

    kiosk.expect_in_call()
    wait_until(
        lambda: kiosk.frames_decoded() > 0 and console.frames_decoded() > 0, MEDIA_TIMEOUT, message="video both ways"
    )
    expect(kiosk.by_testid("call-agent-name")).to_have_text("Alice")
    # Shown, not only decoded: each side's remote <video> has the other's picture.
    expect(kiosk.by_testid("call-remote-video")).not_to_have_js_property("videoWidth", 0)
    expect(console.by_testid("call-remote-video")).not_to_have_js_property("videoWidth", 0)
    call.refresh_from_db()
    assert call.status == Call.Status.CONNECTED
    # Whatever the page may have stored meanwhile must not outlive the call.
    kiosk.page.evaluate("() => { localStorage.setItem('trace', 'CAF'); sessionStorage.setItem('trace', 'CAF'); }")

    if hung_up_by == "kiosk":
        kiosk.hang_up()
        console.expect_phase("wrap-up")
    else:
        console.hang_up()
        kiosk.expect_screen("rating")
    wait_for_status(call, Call.Status.ENDED)
    assert (call.outcome, call.end_reason) == ("completed", f"hung_up_by_{hung_up_by}")
    assert kiosk.page.evaluate("() => window.__visiorelaisPeer === undefined")
    assert console.page.evaluate("() => window.__visiorelaisPeer === undefined")

    kiosk.rate(4)
    console.wrap_up("resolved")
    expect_wiped(kiosk)

    kinds = event_kinds(call)
    assert kinds[:6] == ["requested", "queued", "offered", "accepted", "connected", "ended"]
    assert sorted(kinds[6:]) == ["rated", "wrapped_up"]
    assert CallEvent.objects.get(call=call, kind="rated").detail.get("rating") == 4


def test_a_call_forced_through_coturn_relays_video_both_ways(serve_with, world, new_page, turn_server):
    asgi_server = serve_with(ICE_TRANSPORT_POLICY="relay")
    console = open_console(new_page, asgi_server, world.alice)
    console.take_station(world.caf_station_1)
    kiosk = open_kiosk(new_page, asgi_server, world.kiosk_coutances)

    call = connect_call(world, kiosk, console)

    for screen in (kiosk, console):
        # The types, not the pair's state: ICE may be re-checking the selected pair while media flows.
        pair = selected_candidate_pair(screen.page)
        assert (pair["local"]["type"], pair["remote"]["type"]) == ("relay", "relay"), pair
    kiosk.hang_up()
    assert wait_for_status(call, Call.Status.ENDED).outcome == Call.Outcome.COMPLETED

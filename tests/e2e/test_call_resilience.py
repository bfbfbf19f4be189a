"""A connected call outlives its signaling: a restart of the server, a kiosk cut from the network.

Media is peer to peer: while the WebSockets are down the video goes on, the pages reconnect on their own, and the
call is still the same call afterwards (DESIGN.md "Numbers to respect": 0 calls lost, no touch needed).
"""

import time

from playwright.sync_api import Page, WebSocketRoute

from tests.e2e.harness import enrol_kiosk, wait_until
from tests.e2e.harness.screens import KioskScreen
from tests.e2e.test_call import connect_call, open_console, open_kiosk, wait_for_status
from visiorelais.calls.models import Call

# Reconnection backs off 0.5 s doubling to 15 s (±30 %): allow two long steps beyond the outage.
RECONNECT_TIMEOUT_MS = 35_000
# Chromium's words for a connection attempt made while offline.
OFFLINE = "ERR_INTERNET_DISCONNECTED"
CUT_ATTEMPTS = 4
LONG_CUT_MS = 30_000


def frames_increase(kiosk, console, *, timeout: float = 10.0) -> None:
    kiosk_before, console_before = kiosk.frames_decoded(), console.frames_decoded()
    wait_until(
        lambda: kiosk.frames_decoded() > kiosk_before and console.frames_decoded() > console_before,
        timeout,
        message="frames decoded to keep increasing on both sides",
    )


class NetworkCut:
    """A kiosk page whose WebSockets go through Playwright, so that a test can break the open one as a network cut
    does (both ends closed, and the browser offline: every new attempt fails until `restore()`)."""

    def __init__(self, page: Page):
        self.page = page
        self.sockets: list[tuple[WebSocketRoute, WebSocketRoute]] = []
        self.failed_attempts: list[str] = []
        page.route_web_socket("**/ws/kiosk/", lambda route: self.sockets.append((route, route.connect_to_server())))
        page.on("console", self._console)

    def _console(self, message) -> None:
        if OFFLINE in message.text:
            self.failed_attempts.append(message.text)

    def cut(self) -> None:
        self.page.context.set_offline(True)
        to_page, to_server = self.sockets[-1]
        to_page.close(code=4000, reason="network cut")
        to_server.close(code=1001, reason="network cut")

    def wait_for_failed_attempts(self, count: int) -> None:
        while len(self.failed_attempts) < count:
            self.page.wait_for_event("console", timeout=RECONNECT_TIMEOUT_MS)  # Playwright delivers events meanwhile

    def restore(self) -> None:
        self.page.context.set_offline(False)


def open_cut_kiosk(new_page, asgi_server, world) -> tuple[KioskScreen, NetworkCut]:
    page = new_page(name="kiosk")
    enrol_kiosk(page, world.kiosk_coutances, origin=asgi_server.url)
    network = NetworkCut(page)
    return KioskScreen(page).open(), network


def test_a_connected_call_goes_on_through_a_restart_of_the_signaling_server(asgi_server, world, new_page):
    console = open_console(new_page, asgi_server, world.alice)
    console.take_station(world.caf_station_1)
    kiosk = open_kiosk(new_page, asgi_server, world.kiosk_coutances)
    call = connect_call(world, kiosk, console)

    stopping = time.monotonic()
    asgi_server.stop()
    kiosk.expect_socket("reconnecting")
    console.expect_connection("reconnecting")
    frames_increase(kiosk, console)  # with no server at all
    asgi_server.start()
    started = time.monotonic()
    kiosk.expect_socket("open", timeout=RECONNECT_TIMEOUT_MS)
    console.expect_connection("open", timeout=RECONNECT_TIMEOUT_MS)
    back = time.monotonic()
    print(f"\nsignaling restart: server down {started - stopping:.2f} s, both pages back {back - started:.2f} s later")

    assert wait_for_status(call, Call.Status.CONNECTED).status == Call.Status.CONNECTED
    kiosk.expect_in_call()
    console.expect_phase("in-call")
    frames_increase(kiosk, console)

    kiosk.hang_up()
    console.expect_phase("wrap-up")
    assert wait_for_status(call, Call.Status.ENDED).outcome == Call.Outcome.COMPLETED


def test_a_connected_call_resumes_with_no_touch_after_the_kiosk_is_cut_from_the_network(asgi_server, world, new_page):
    console = open_console(new_page, asgi_server, world.alice)
    console.take_station(world.caf_station_1)
    kiosk, network = open_cut_kiosk(new_page, asgi_server, world)
    call = connect_call(world, kiosk, console)

    network.cut()
    cut = time.monotonic()
    kiosk.expect_socket("reconnecting")
    # The cut lasts while the kiosk retries in vain, backing off: 4 attempts take about 7.5 s.
    network.wait_for_failed_attempts(CUT_ATTEMPTS)
    frames_increase(kiosk, console)  # media is peer to peer: the cut of signaling leaves it alone
    assert kiosk.screen() == "call"
    network.restore()
    restored = time.monotonic()

    kiosk.expect_socket("open", timeout=RECONNECT_TIMEOUT_MS)
    print(f"\nkiosk network cut: {restored - cut:.2f} s, socket open again {time.monotonic() - restored:.2f} s later")
    assert len(network.sockets) > 1
    kiosk.expect_in_call()
    console.expect_phase("in-call")
    assert wait_for_status(call, Call.Status.CONNECTED).ended_at is None
    frames_increase(kiosk, console)

    console.hang_up()
    kiosk.expect_screen("rating")
    assert wait_for_status(call, Call.Status.ENDED).outcome == Call.Outcome.COMPLETED


def test_a_connected_call_resumes_with_no_touch_after_a_30_s_network_cut_of_the_kiosk(asgi_server, world, new_page):
    # DESIGN.md: "kiosk network cut <= 30 s mid-call: call resumes with no touch".
    console = open_console(new_page, asgi_server, world.alice)
    console.take_station(world.caf_station_1)
    kiosk, network = open_cut_kiosk(new_page, asgi_server, world)
    call = connect_call(world, kiosk, console)

    network.cut()
    # The length of the cut is the scenario itself, not a wait for something to happen.
    kiosk.page.wait_for_timeout(LONG_CUT_MS)
    network.restore()

    kiosk.expect_socket("open", timeout=RECONNECT_TIMEOUT_MS)
    call.refresh_from_db()
    assert (call.status, call.outcome, call.end_reason) == ("connected", "", "")
    kiosk.expect_in_call()
    frames_increase(kiosk, console)

"""The app's two call screens as the browser suite drives them: the kiosk (/borne/) and the agent console (/console/).

Only what a person does and sees: touches through `data-testid`s, and the state attributes the pages publish
for tests (`<body data-screen data-socket-status data-call-status data-ice-state>` on the kiosk;
`[data-testid=console][data-phase]` and `[data-testid=console-connection][data-status]` on the console).
Waiting is Playwright's `expect` (it polls); nothing here sleeps.
"""

from playwright.sync_api import Page, expect

from tests.e2e.harness.browser import frames_decoded

TIMEOUT_MS = 10_000


class KioskScreen:
    """The resident's screen, in a page whose context is an enrolled kiosk (see `enrol_kiosk`)."""

    def __init__(self, page: Page):
        self.page = page

    @property
    def body(self):
        return self.page.locator("body")

    def by_testid(self, testid: str):
        return self.page.get_by_test_id(testid)

    def open(self) -> "KioskScreen":
        self.page.goto("/borne/")
        self.expect_screen("home")
        self.expect_socket("open")
        return self

    def screen(self) -> str:
        return self.body.get_attribute("data-screen") or ""

    def expect_screen(self, name: str, *, timeout: float = TIMEOUT_MS) -> None:
        expect(self.body).to_have_attribute("data-screen", name, timeout=timeout)

    def expect_socket(self, status: str, *, timeout: float = TIMEOUT_MS) -> None:
        expect(self.body).to_have_attribute("data-socket-status", status, timeout=timeout)

    def expect_call_status(self, status: str, *, timeout: float = TIMEOUT_MS) -> None:
        expect(self.body).to_have_attribute("data-call-status", status, timeout=timeout)

    def partner_button(self, short_name: str):
        return self.by_testid(f"partner-{short_name}")

    def expect_partner_state(self, short_name: str, state: str, *, timeout: float = TIMEOUT_MS) -> None:
        expect(self.partner_button(short_name)).to_have_attribute("data-partner-state", state, timeout=timeout)

    def choose(self, short_name: str) -> None:
        self.partner_button(short_name).click()

    def to_consent(self, short_name: str, *, topic=None) -> None:
        """Home → (topic) → consent: touches the partner, then the topic or "Autre chose", if topics are asked."""
        self.choose(short_name)
        expect(self.page.locator("body[data-screen=topic], body[data-screen=consent]")).to_have_count(1)
        if self.screen() == "topic":
            (self.by_testid(f"topic-{topic.pk}") if topic else self.by_testid("topic-skip")).click()
        self.expect_screen("consent")

    def call(self, short_name: str, *, topic=None) -> None:
        """Home → … → "Appeler": the call is requested and the waiting screen shows."""
        self.to_consent(short_name, topic=topic)
        self.by_testid("consent-call").click()
        self.expect_screen("waiting")

    def expect_in_call(self, *, timeout: float = TIMEOUT_MS) -> None:
        self.expect_screen("call", timeout=timeout)
        self.expect_call_status("connected", timeout=timeout)

    def frames_decoded(self) -> int:
        return frames_decoded(self.page)

    def hang_up(self) -> None:
        self.by_testid("call-hangup").click()
        self.expect_screen("rating")

    def rate(self, rating: int) -> None:
        self.by_testid(f"rate-{rating}").click()
        self.expect_screen("thanks")

    def storage_sizes(self) -> tuple[int, int]:
        return tuple(self.page.evaluate("() => [localStorage.length, sessionStorage.length]"))

    def videos_with_a_source(self) -> int:
        return self.page.evaluate(
            "() => Array.from(document.querySelectorAll('video')).filter((v) => v.srcObject).length"
        )


class ConsoleScreen:
    """The partner agent's console, in a page whose context is logged in (see `login`)."""

    def __init__(self, page: Page):
        self.page = page

    def by_testid(self, testid: str):
        return self.page.get_by_test_id(testid)

    def open(self) -> "ConsoleScreen":
        self.page.goto("/console/")
        self.expect_connection("open")
        self.expect_phase("idle")
        return self

    def expect_connection(self, status: str, *, timeout: float = TIMEOUT_MS) -> None:
        expect(self.by_testid("console-connection")).to_have_attribute("data-status", status, timeout=timeout)

    def expect_phase(self, phase: str, *, timeout: float = TIMEOUT_MS) -> None:
        expect(self.by_testid("console")).to_have_attribute("data-phase", phase, timeout=timeout)

    def expect_my_station(self, state: str, *, timeout: float = TIMEOUT_MS) -> None:
        expect(self.by_testid("my-station-state")).to_have_attribute("data-state", state, timeout=timeout)

    def take_station(self, station) -> None:
        self.by_testid(f"station-take-{station.pk}").click()
        self.expect_my_station("available")

    def pause(self) -> None:
        self.by_testid("station-pause").click()
        self.expect_my_station("paused")

    def make_available(self) -> None:
        self.by_testid("station-available").click()

    def leave_station(self) -> None:
        self.by_testid("station-leave").click()
        expect(self.by_testid("my-station-state")).to_be_hidden()

    def expect_ringing(self, *, timeout: float = TIMEOUT_MS) -> None:
        self.expect_phase("ringing", timeout=timeout)
        expect(self.by_testid("ringing-accept")).to_be_enabled(timeout=timeout)

    def accept(self) -> None:
        self.by_testid("ringing-accept").click()
        self.expect_phase("in-call")

    def frames_decoded(self) -> int:
        return frames_decoded(self.page)

    def hang_up(self) -> None:
        self.by_testid("call-hangup").click()
        self.expect_phase("wrap-up")

    def wrap_up(self, outcome: str = "resolved", *, then: str = "available") -> None:
        """Records the call's outcome, then makes the station available (or pauses it)."""
        self.expect_phase("wrap-up")
        self.by_testid(f"wrapup-outcome-{outcome}").check()
        self.by_testid("wrapup-submit").click()
        expect(self.by_testid("wrapup-next")).to_be_visible()
        self.by_testid(f"wrapup-{then}").click()
        self.expect_phase("idle")
        self.expect_my_station("available" if then == "available" else "paused")


__all__ = ["ConsoleScreen", "KioskScreen"]

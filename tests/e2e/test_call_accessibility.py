"""axe-core (WCAG 2.2 A and AA) on every screen and state of the call's journeys, kiosk and console: no serious or
critical violation (DESIGN.md "Kiosk screen rules")."""

from playwright.sync_api import expect

from tests.e2e.harness import assert_no_serious_a11y_violations, enrol_kiosk, wait_until
from tests.e2e.harness.screens import KioskScreen
from tests.e2e.test_call import MEDIA_TIMEOUT, open_console, open_kiosk

# kiosk.js: the question comes after 60 s without a touch, and home after 30 s more without an answer.
IDLE_AFTER_MS = 60_000
IDLE_COUNTDOWN_MS = 30_000


def test_every_screen_of_a_call_passes_axe_on_the_kiosk_and_the_console(asgi_server, world, new_page):
    login_page = new_page(name="login")
    login_page.goto("/console/connexion/")
    assert_no_serious_a11y_violations(login_page)
    console = open_console(new_page, asgi_server, world.alice)
    assert_no_serious_a11y_violations(console.page)  # idle, no station
    console.take_station(world.caf_station_1)
    assert_no_serious_a11y_violations(console.page)  # idle, available
    console.pause()
    assert_no_serious_a11y_violations(console.page)  # idle, paused: calls will wait in the queue
    kiosk = open_kiosk(new_page, asgi_server, world.kiosk_coutances)
    assert_no_serious_a11y_violations(kiosk.page)  # home

    kiosk.by_testid("help-button").click()
    expect(kiosk.by_testid("help-panel")).to_be_visible()
    assert_no_serious_a11y_violations(kiosk.page)
    kiosk.by_testid("help-close").click()
    expect(kiosk.by_testid("help-panel")).to_be_hidden()

    kiosk.by_testid("large-text-toggle").click()
    expect(kiosk.by_testid("large-text-toggle")).to_have_attribute("aria-pressed", "true")
    assert_no_serious_a11y_violations(kiosk.page)  # home, large text (kept for the rest of the journey)

    kiosk.choose("CAF")
    kiosk.expect_screen("topic")
    assert_no_serious_a11y_violations(kiosk.page)
    kiosk.by_testid("topic-skip").click()
    kiosk.expect_screen("consent")
    expect(kiosk.by_testid("consent-preview")).to_have_js_property("readyState", 4)  # the camera preview plays
    assert_no_serious_a11y_violations(kiosk.page)

    kiosk.by_testid("consent-call").click()
    kiosk.expect_screen("waiting")
    kiosk.expect_call_status("queued")
    expect(kiosk.by_testid("waiting-position")).not_to_be_empty()
    expect(console.page.locator("[data-testid^=queue-item-]")).to_have_count(1)
    assert_no_serious_a11y_violations(kiosk.page)  # waiting in the queue, with a position
    assert_no_serious_a11y_violations(console.page)  # a call in the queue

    console.make_available()
    console.expect_ringing()
    kiosk.expect_call_status("offered")
    assert_no_serious_a11y_violations(kiosk.page)  # waiting, the call offered
    assert_no_serious_a11y_violations(console.page)  # ringing

    console.accept()
    kiosk.expect_in_call()
    wait_until(
        lambda: kiosk.frames_decoded() > 0 and console.frames_decoded() > 0, MEDIA_TIMEOUT, message="video both ways"
    )
    assert_no_serious_a11y_violations(kiosk.page)  # in call
    assert_no_serious_a11y_violations(console.page)  # in call
    console.by_testid("call-toggle-mic").click()
    kiosk.by_testid("call-mute").click()
    assert_no_serious_a11y_violations(kiosk.page)  # in call, microphone off
    assert_no_serious_a11y_violations(console.page)  # in call, microphone off

    console.hang_up()
    kiosk.expect_screen("rating")
    assert_no_serious_a11y_violations(kiosk.page)
    assert_no_serious_a11y_violations(console.page)  # wrap-up form
    console.by_testid("wrapup-submit").click()  # no outcome chosen: the form says so
    expect(console.by_testid("wrapup-error")).not_to_be_empty()
    assert_no_serious_a11y_violations(console.page)
    console.by_testid("wrapup-outcome-resolved").check()
    console.by_testid("wrapup-submit").click()
    expect(console.by_testid("wrapup-next")).to_be_visible()
    assert_no_serious_a11y_violations(console.page)  # wrap-up recorded, what next

    kiosk.rate(5)
    assert_no_serious_a11y_violations(kiosk.page)  # thanks
    console.by_testid("wrapup-pause").click()
    console.expect_my_station("paused")
    assert_no_serious_a11y_violations(console.page)  # paused

    kiosk.expect_screen("home", timeout=15_000)
    console.leave_station()
    kiosk.expect_partner_state("CAF", "unstaffed")
    assert_no_serious_a11y_violations(kiosk.page)  # home, a partner unavailable
    kiosk.choose("CAF")
    kiosk.expect_screen("unavailable")
    assert_no_serious_a11y_violations(kiosk.page)


def test_the_idle_question_passes_axe_and_goes_home_only_when_nobody_answers(asgi_server, world, new_page):
    page = new_page(name="kiosk")
    enrol_kiosk(page, world.kiosk_coutances, origin=asgi_server.url)
    # The page's clock is the test's, so that a minute without a touch takes no minute.
    page.clock.install()
    kiosk = KioskScreen(page).open()
    kiosk.choose("CAF")  # nobody is seated at CAF: the resident reads that nobody can answer, and walks away
    kiosk.expect_screen("unavailable")

    page.clock.fast_forward(IDLE_AFTER_MS)

    dialog = kiosk.by_testid("idle-dialog")
    expect(dialog).to_be_visible()
    expect(kiosk.by_testid("idle-countdown")).to_contain_text("Retour à l'accueil dans")
    assert_no_serious_a11y_violations(page)
    kiosk.by_testid("idle-continue").click()
    expect(dialog).to_be_hidden()
    kiosk.expect_screen("unavailable")

    page.clock.fast_forward(IDLE_AFTER_MS)
    expect(dialog).to_be_visible()
    page.clock.run_for(IDLE_COUNTDOWN_MS + 1_000)  # every tick of the countdown
    expect(dialog).to_be_hidden()
    kiosk.expect_screen("home")

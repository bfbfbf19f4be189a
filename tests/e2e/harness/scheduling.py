"""The kiosk's appointment and callback screens as the browser suite drives them (kiosk/appointments.js,
kiosk/callbacks.js): the number pads are touched key by key, as a resident would."""

from playwright.sync_api import expect

from tests.e2e.harness.screens import TIMEOUT_MS, KioskScreen


def type_on_pad(kiosk: KioskScreen, prefix: str, digits: str) -> None:
    """Touches each key of the `prefix` pad (`appointment` or `callback`)."""
    for digit in digits:
        kiosk.by_testid(f"{prefix}-key-{digit}").click()


def check_in(kiosk: KioskScreen, code: str) -> None:
    """On the pad screen: types the code (spaces ignored) and touches « Valider »."""
    kiosk.expect_screen("appointment")
    digits = code.replace(" ", "")
    type_on_pad(kiosk, "appointment", digits)
    expect(kiosk.by_testid("appointment-code")).to_have_attribute("data-value", digits, timeout=TIMEOUT_MS)
    kiosk.by_testid("appointment-submit").click()


def ask_callback(kiosk: KioskScreen, phone: str, *, topic=None, period: str = "morning") -> None:
    """From a screen offering « Être rappelé » (already touched): phone number, topic (or skip), time of day."""
    kiosk.expect_screen("callback-phone")
    type_on_pad(kiosk, "callback", phone.replace(" ", ""))
    kiosk.by_testid("callback-phone-submit").click()
    expect(kiosk.page.locator("body[data-screen=callback-topic], body[data-screen=callback-period]")).to_have_count(1)
    if kiosk.screen() == "callback-topic":
        (kiosk.by_testid(f"callback-topic-{topic.pk}") if topic else kiosk.by_testid("callback-topic-skip")).click()
    kiosk.expect_screen("callback-period")
    kiosk.by_testid(f"callback-period-{period}").click()


__all__ = ["ask_callback", "check_in", "type_on_pad"]

"""Appointments and callbacks, through the screens (docs/scheduling.md): France Travail by appointment at
Coutances, walk-in at Saint-Lô; a host agent books at /rendez-vous/, the resident checks in at the kiosk and is
answered ahead of a walk-in already waiting; a resident nobody can answer leaves a number, which the partner's
agent finds at /rappels/.

The clock is real: the slot starts a few minutes from now, within the check-in grace period, and the kiosk is
already reserved (APPOINTMENT_RESERVE_MINUTES_BEFORE, 15 min by default).
"""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import make_user
from tests.e2e.harness import assert_no_serious_a11y_violations, login, wait_until
from tests.e2e.harness.scheduling import ask_callback, check_in
from tests.e2e.test_call import MEDIA_TIMEOUT, open_console, open_kiosk
from visiorelais.accounts.models import Role
from visiorelais.calls.models import Call
from visiorelais.network.models import Entitlement, Partner, ServiceWindow, Station, Topic, Weekday
from visiorelais.network.selectors import partner_is_open
from visiorelais.scheduling.errors import MESSAGES
from visiorelais.scheduling.models import Appointment, CallbackRequest
from visiorelais.scheduling.services import slot_open

FT = "France-Travail"  # the tile's test id: the short name with dashes


@pytest.fixture
def ft(world):
    """France Travail: one station, appointment only at Coutances, walk-in at Saint-Lô all day, every day."""
    partner = Partner.objects.create(name="France Travail", short_name="France Travail", colour="#C8102E")
    station = Station.objects.create(partner=partner, label="France Travail poste 1")
    Entitlement.objects.create(partner=partner, kiosk=world.kiosk_coutances, mode=Entitlement.Mode.APPOINTMENT_ONLY)
    Entitlement.objects.create(partner=partner, kiosk=world.kiosk_saint_lo, mode=Entitlement.Mode.WALK_IN)
    for weekday in Weekday.values:
        ServiceWindow.objects.create(partner=partner, weekday=weekday, start=dt.time(0), end=dt.time(23, 59))
    if not partner_is_open(partner=partner, at=timezone.now()):
        pytest.skip("France Travail's walk-in hours cannot open today (a public holiday, or 23:59)")
    now = timezone.now().replace(second=0, microsecond=0)
    slot = slot_open(
        partner=partner,
        station=station,
        kiosk=world.kiosk_coutances,
        starts_at=now + dt.timedelta(minutes=5),
        length_minutes=30,
    )
    return SimpleNamespace(
        partner=partner,
        station=station,
        slot=slot,
        topic=Topic.objects.create(partner=partner, label="Indemnisation"),
        karim=make_user("karim", Role.PARTNER_AGENT, partner=partner),
    )


def book_at_rendez_vous(new_page, asgi_server, world, ft) -> str:
    """Hugo, host agent at Coutances, books the slot for Mme Lehoux and reads the code on the ticket."""
    page = new_page(name="host-agent")
    login(page, world.hugo, origin=asgi_server.url)
    page.goto("/rendez-vous/")
    page.locator(f'tr[data-slot="{ft.slot.pk}"]').get_by_role("link", name="Réserver").click()
    page.get_by_label("Nom de la personne").fill("Mme Lehoux")
    page.get_by_label("Motif").select_option(value=str(ft.topic.pk))
    page.get_by_role("button", name="Réserver et afficher le ticket").click()
    code = page.locator(".ticket .code")
    expect(code).to_be_visible()
    return code.inner_text().replace(" ", "")


def test_a_resident_checks_in_and_is_answered_ahead_of_a_waiting_walk_in(asgi_server, world, ft, new_page):
    code = book_at_rendez_vous(new_page, asgi_server, world, ft)
    assert Appointment.objects.get().code == code

    console = open_console(new_page, asgi_server, ft.karim)
    console.take_station(ft.station)
    console.pause()  # seated but not answering: both calls will wait

    walk_in_kiosk = open_kiosk(new_page, asgi_server, world.kiosk_saint_lo)
    walk_in_kiosk.call(FT)
    walk_in = wait_until(
        lambda: Call.objects.filter(kiosk=world.kiosk_saint_lo, status=Call.Status.QUEUED).first(),
        message="the walk-in queued",
    )

    kiosk = open_kiosk(new_page, asgi_server, world.kiosk_coutances)
    # Reserved: the banner says so, the walk-in partners are hidden, France Travail is reached by code.
    expect(kiosk.by_testid("reservation-banner")).to_be_visible()
    expect(kiosk.by_testid("reservation-text")).to_contain_text("Borne réservée pour un rendez-vous à")
    expect(kiosk.partner_button("CAF")).to_have_count(0)
    expect(kiosk.partner_button("CPAM")).to_have_count(0)
    kiosk.expect_partner_state(FT, "appointment_only")
    expect(kiosk.partner_button(FT)).to_contain_text("Sur rendez-vous")
    assert_no_serious_a11y_violations(kiosk.page)  # home, reserved

    kiosk.by_testid("home-appointment").click()
    kiosk.expect_screen("appointment")
    assert_no_serious_a11y_violations(kiosk.page)  # the pad
    wrong = "".join("3" if digit == "2" else "2" for digit in code)
    check_in(kiosk, wrong)
    expect(kiosk.by_testid("appointment-message")).to_have_text(MESSAGES["code_unknown"])
    assert_no_serious_a11y_violations(kiosk.page)  # the pad, with a refusal

    check_in(kiosk, code)
    kiosk.expect_screen("waiting")
    appointment_call = wait_until(lambda: Appointment.objects.get().call, message="the check-in's call")
    assert appointment_call.reserved_station_id == ft.station.pk

    console.make_available()
    console.expect_ringing()
    expect(console.by_testid("ringing-site")).to_contain_text(world.kiosk_coutances.site.name)
    console.accept()
    kiosk.expect_in_call()
    wait_until(
        lambda: kiosk.frames_decoded() > 0 and console.frames_decoded() > 0, MEDIA_TIMEOUT, message="video both ways"
    )
    assert Call.objects.get(pk=appointment_call.pk).status == Call.Status.CONNECTED
    assert Call.objects.get(pk=walk_in.pk).status == Call.Status.QUEUED
    assert Appointment.objects.get().status == Appointment.Status.CHECKED_IN


def test_a_resident_nobody_can_answer_leaves_a_number_for_the_partner(asgi_server, world, new_page):
    console = open_console(new_page, asgi_server, world.alice)
    expect(console.by_testid("callbacks-count")).to_have_text("Aucune demande de rappel en attente.")
    expect(console.by_testid("callbacks-link")).to_have_attribute("href", "/rappels/")
    expect(console.by_testid("appointments-link")).to_have_attribute("href", "/rendez-vous/")

    kiosk = open_kiosk(new_page, asgi_server, world.kiosk_coutances)
    expect(kiosk.by_testid("home-appointment")).to_be_hidden()  # no appointment here today
    kiosk.choose("CAF")  # nobody seated at CAF: closed or unstaffed
    kiosk.expect_screen("unavailable")
    expect(kiosk.by_testid("unavailable-callback")).to_be_visible()
    assert_no_serious_a11y_violations(kiosk.page)
    kiosk.by_testid("unavailable-callback").click()

    kiosk.expect_screen("callback-phone")
    for digit in "0612":
        kiosk.by_testid(f"callback-key-{digit}").click()
    expect(kiosk.by_testid("callback-phone-submit")).to_be_disabled()
    kiosk.by_testid("callback-key-9").click()
    kiosk.by_testid("callback-correct").click()
    expect(kiosk.by_testid("callback-phone-display")).to_have_text("06 12")
    assert_no_serious_a11y_violations(kiosk.page)  # the phone pad
    kiosk.by_testid("callback-phone-back").click()  # nothing sent yet: home (the page wipes)
    kiosk.expect_screen("home")
    kiosk.choose("CAF")
    kiosk.by_testid("unavailable-callback").click()

    ask_callback(kiosk, "06 12 34 56 78", topic=world.caf_topic, period="afternoon")
    kiosk.expect_screen("callback-done")
    expect(kiosk.by_testid("callback-confirmation")).to_have_text(
        "C'est noté : CAF vous rappellera au 06 12 34 56 78, de préférence l'après-midi."
    )
    assert_no_serious_a11y_violations(kiosk.page)  # the confirmation
    request = CallbackRequest.objects.get()
    assert (request.partner, request.kiosk, request.phone) == (world.caf, world.kiosk_coutances, "+33612345678")
    assert (request.topic, request.preferred_period) == (world.caf_topic, "afternoon")

    # The console's count follows live; the request waits at /rappels/.
    expect(console.by_testid("callbacks-count")).to_have_text("1 demande de rappel en attente.")
    assert_no_serious_a11y_violations(console.page)
    console.by_testid("callbacks-link").click()
    expect(console.page.get_by_role("heading", name=f"Demande n° {request.pk}", exact=False)).to_be_visible()
    expect(console.page.locator(f"#demande-{request.pk}")).to_contain_text("France Services de Coutances")

    kiosk.by_testid("callback-done-home").click()
    kiosk.expect_screen("home", timeout=15_000)


def test_the_same_number_twice_is_refused_in_french(asgi_server, world, new_page):
    kiosk = open_kiosk(new_page, asgi_server, world.kiosk_coutances)
    for attempt in range(2):
        kiosk.choose("CAF")
        kiosk.by_testid("unavailable-callback").click()
        ask_callback(kiosk, "0233445566", period="any")
        if attempt == 0:
            kiosk.expect_screen("callback-done")
            kiosk.by_testid("callback-done-home").click()
            kiosk.expect_screen("home", timeout=15_000)
    kiosk.expect_screen("callback-period")
    expect(kiosk.by_testid("callback-error")).to_have_text(MESSAGES["callback_duplicate"])
    assert_no_serious_a11y_violations(kiosk.page)  # the period screen, with a refusal
    assert CallbackRequest.objects.count() == 1

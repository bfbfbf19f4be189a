"""Calls that never reach an agent: nobody seated, a resident who gives up, a ring nobody answers."""

from playwright.sync_api import expect

from tests.e2e.test_call import event_kinds, expect_wiped, open_console, open_kiosk, wait_for_status
from visiorelais.calls.models import Call, StationPresence


def test_a_partner_with_nobody_seated_says_so_and_when_it_opens_without_queuing_a_call(asgi_server, world, new_page):
    kiosk = open_kiosk(new_page, asgi_server, world.kiosk_coutances)
    kiosk.expect_partner_state("CAF", "unstaffed")
    expect(kiosk.partner_button("CAF")).to_contain_text("Pas de conseiller pour le moment")

    kiosk.choose("CAF")

    kiosk.expect_screen("unavailable")
    expect(kiosk.by_testid("unavailable-message")).to_have_text(
        "Personne ne peut vous répondre chez CAF pour le moment."
    )
    expect(kiosk.by_testid("unavailable-next-opening")).to_contain_text("Prochaine ouverture :")
    assert not Call.objects.exists()


def test_a_call_asked_for_just_as_the_last_agent_leaves_ends_unavailable(asgi_server, world, new_page):
    console = open_console(new_page, asgi_server, world.alice)
    console.take_station(world.caf_station_1)
    kiosk = open_kiosk(new_page, asgi_server, world.kiosk_coutances)
    kiosk.to_consent("CAF")
    console.leave_station()
    kiosk.expect_partner_state("CAF", "unstaffed")

    kiosk.by_testid("consent-call").click()

    kiosk.expect_screen("unavailable")
    expect(kiosk.by_testid("unavailable-message")).to_have_text(
        "Personne ne peut vous répondre chez CAF pour le moment."
    )
    expect(kiosk.by_testid("unavailable-next-opening")).to_contain_text("Prochaine ouverture :")
    call = wait_for_status(Call.objects.get(kiosk=world.kiosk_coutances), Call.Status.ENDED)
    assert (call.outcome, call.end_reason, call.queued_at) == ("unavailable", "no_station_staffed", None)
    assert call.next_opening is not None
    assert event_kinds(call) == ["requested", "ended"]

    kiosk.by_testid("unavailable-home").click()
    expect_wiped(kiosk)


def test_a_resident_who_gives_up_in_the_queue_leaves_an_abandoned_call(asgi_server, world, new_page):
    console = open_console(new_page, asgi_server, world.alice)
    console.take_station(world.caf_station_1)
    console.pause()
    kiosk = open_kiosk(new_page, asgi_server, world.kiosk_coutances)
    kiosk.call("CAF")
    kiosk.expect_call_status("queued")
    call = Call.objects.get(kiosk=world.kiosk_coutances)
    expect(console.by_testid(f"queue-item-{call.pk}")).to_be_visible()

    kiosk.by_testid("waiting-give-up").click()

    expect_wiped(kiosk)
    wait_for_status(call, Call.Status.ENDED)
    assert (call.outcome, call.end_reason) == ("abandoned", "given_up")
    assert event_kinds(call) == ["requested", "queued", "ended"]
    expect(console.by_testid(f"queue-item-{call.pk}")).to_have_count(0)


def test_a_ring_nobody_answers_pauses_the_station_says_why_and_puts_the_call_back_in_the_queue(
    serve_with, world, new_page
):
    asgi_server = serve_with(CALL_RING_TIMEOUT_SECONDS="2")
    console = open_console(new_page, asgi_server, world.alice)
    console.take_station(world.caf_station_1)
    kiosk = open_kiosk(new_page, asgi_server, world.kiosk_coutances)
    kiosk.call("CAF")
    console.expect_ringing()
    kiosk.expect_call_status("offered")

    # Nobody touches anything: the ring times out.
    console.expect_my_station("paused")
    console.expect_phase("idle")
    expect(console.by_testid("console-notices")).to_contain_text("Vous n'avez pas répondu à temps")
    expect(console.by_testid("my-station-state")).to_contain_text("non décroché")
    kiosk.expect_call_status("queued")
    kiosk.expect_screen("waiting")
    expect(kiosk.by_testid("waiting-position")).to_have_text("Vous êtes la prochaine personne.")
    call = Call.objects.get(kiosk=world.kiosk_coutances)
    expect(console.by_testid(f"queue-item-{call.pk}")).to_be_visible()
    assert call.status == Call.Status.QUEUED
    assert event_kinds(call) == ["requested", "queued", "offered", "ring_timeout"]
    presence = StationPresence.objects.get(station=world.caf_station_1)
    assert (presence.state, presence.pause_reason) == ("paused", "ring_timeout")

"""The harness proves itself, without the app's screens: real video between two Chromium pages (directly and
through coturn), between Chromium and aiortc, the live server's probes and Origin check, and the axe check."""

import json

import pytest
import websockets.sync.client
from websockets.exceptions import InvalidStatus

from tests.e2e.harness import (
    assert_no_serious_a11y_violations,
    enrol_kiosk,
    frames_decoded,
    http_get,
    login,
    selected_candidate_pair,
    wait_until,
)
from visiorelais.calls.turn import ice_servers_for

MEDIA_TIMEOUT = 20.0


def open_peer_page(new_page, static_site, name: str, **options):
    page = new_page(origin=static_site.url, name=name)
    page.goto("/peer.html")
    page.evaluate("(options) => window.harness.start(options)", options)
    return page


def connect(offerer, answerer) -> None:
    """Offer/answer between two harness pages, carried by the test (descriptions hold every candidate)."""
    offer = offerer.evaluate("() => window.harness.offer()")
    answer = answerer.evaluate("(offer) => window.harness.answer(offer)", offer)
    offerer.evaluate("(answer) => window.harness.accept(answer)", answer)


def test_two_chromium_pages_exchange_camera_video_peer_to_peer(new_page, static_site):
    agent = open_peer_page(new_page, static_site, "agent")
    kiosk = open_peer_page(new_page, static_site, "kiosk")

    connect(agent, kiosk)

    wait_until(lambda: frames_decoded(agent) > 0 and frames_decoded(kiosk) > 0, MEDIA_TIMEOUT, message="frames")
    assert selected_candidate_pair(kiosk)["local"]["type"] != "relay"


def test_two_chromium_pages_exchange_video_through_coturn_only(new_page, static_site, turn_server, turn_settings):
    # turn_settings: the test's TURN settings are the live server's, i.e. this coturn and its secret.
    relay_only = {"iceTransportPolicy": "relay"}
    agent = open_peer_page(new_page, static_site, "agent", iceServers=ice_servers_for(principal="agent"), **relay_only)
    kiosk = open_peer_page(new_page, static_site, "kiosk", iceServers=ice_servers_for(principal="kiosk"), **relay_only)

    connect(agent, kiosk)

    assert set(agent.evaluate("() => window.harness.candidateTypes()")) == {"relay"}
    wait_until(lambda: frames_decoded(agent) > 0 and frames_decoded(kiosk) > 0, MEDIA_TIMEOUT, message="frames")
    for page in (agent, kiosk):
        # Not the pair's state: ICE may be re-checking the selected pair ("in-progress") while media flows.
        pair = selected_candidate_pair(page)
        assert (pair["local"]["type"], pair["remote"]["type"]) == ("relay", "relay"), pair


def test_coturn_refuses_a_credential_signed_with_another_secret(new_page, static_site, turn_server, settings):
    settings.STUN_URLS = []
    settings.TURN_URLS = turn_server.urls
    settings.TURN_SECRET = "not-the-secret"
    page = open_peer_page(
        new_page, static_site, "kiosk", iceServers=ice_servers_for(principal="kiosk"), iceTransportPolicy="relay"
    )

    page.evaluate("() => window.harness.offer()")

    assert "relay" not in page.evaluate("() => window.harness.candidateTypes()")


def test_a_chromium_page_and_an_aiortc_peer_exchange_video(new_page, static_site, new_aiortc_peer):
    # aiortc plays the agent (the offerer, as in the app); Chromium plays the kiosk with its fake camera.
    agent = new_aiortc_peer(ice_servers=[])
    kiosk = open_peer_page(new_page, static_site, "kiosk")

    answer = kiosk.evaluate("(offer) => window.harness.answer(offer)", agent.create_offer())
    agent.accept_answer(answer)

    wait_until(lambda: frames_decoded(kiosk) > 0 and agent.frames_received > 0, MEDIA_TIMEOUT, message="frames")
    assert agent.connection_state == "connected"


def test_the_live_server_is_ready_and_refuses_a_websocket_from_another_origin(asgi_server):
    status, body = http_get(f"{asgi_server.url}/readyz")
    assert status == 200, body
    assert json.loads(body)["status"] == "ok"

    with pytest.raises(InvalidStatus) as refused:
        websockets.sync.client.connect(
            f"{asgi_server.ws_url}/ws/kiosk/", origin="http://evil.example", proxy=None, open_timeout=5
        )
    assert refused.value.response.status_code == 403


def test_the_live_server_sees_the_world_and_sessions_written_by_the_test(asgi_server, world, page):
    # The world's rows and the session that login() writes are committed to the file the server reads,
    # and the server shares the test's SECRET_KEY: the operator reaches the administration without a password.
    login(page, world.olivia, origin=asgi_server.url)

    response = page.goto("/admin/")

    assert response.status == 200
    assert "/admin/login/" not in page.url
    assert page.get_by_role("heading", name="Gestion du réseau").is_visible()


def test_an_enrolled_kiosk_browser_reaches_the_kiosk_screen(asgi_server, world, page):
    enrol_kiosk(page, world.kiosk_coutances, origin=asgi_server.url)

    response = page.goto("/borne/")

    assert response.status == 200
    assert page.url == f"{asgi_server.url}/borne/"


def test_an_accessible_page_passes_axe(new_page, static_site):
    page = new_page(origin=static_site.url)
    page.goto("/accessible.html")

    assert_no_serious_a11y_violations(page)


def test_the_axe_check_fails_on_serious_violations_with_a_readable_list(new_page, static_site):
    page = new_page(origin=static_site.url)
    page.goto("/inaccessible.html")

    with pytest.raises(AssertionError) as failure:
        assert_no_serious_a11y_violations(page)

    report = str(failure.value)
    for rule in ("image-alt", "button-name", "color-contrast", "html-has-lang"):
        assert rule in report, report

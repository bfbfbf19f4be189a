from visiorelais.accounts.auth import KIOSK_COOKIE
from visiorelais.accounts.models import KioskToken
from visiorelais.accounts.services import kiosk_enrol, kiosk_enrolment_issue, kiosk_token_revoke


def enrol(client, kiosk, operator) -> KioskToken:
    _, code = kiosk_enrolment_issue(kiosk=kiosk, issued_by=operator)
    token, raw = kiosk_enrol(code=code)
    client.cookies[KIOSK_COOKIE] = raw
    return token


def test_it_sends_a_browser_without_a_token_to_enrolment(client, world):
    response = client.get("/borne/")
    assert response.status_code == 302
    assert response["Location"] == "/borne/enrolement/"


def test_it_sends_an_unknown_token_to_enrolment(client, world):
    client.cookies[KIOSK_COOKIE] = "not-a-token"
    assert client.get("/borne/")["Location"] == "/borne/enrolement/"


def test_it_shows_the_kiosk_screen_in_french_with_the_sites_help_details(client, world):
    world.coutances.phone = "02 33 00 11 22"
    world.coutances.save()
    enrol(client, world.kiosk_coutances, world.olivia)
    response = client.get("/borne/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.text
    assert '<html lang="fr">' in html
    assert "Qui voulez-vous appeler ?" in html
    assert "Besoin d'aide ? Appeler l'accueil" in html
    assert "France Services de Coutances" in html and "02 33 00 11 22" in html
    assert "Comment s'est passé votre appel ?" in html
    assert "Êtes-vous toujours là ?" in html
    assert 'data-testid="screen-home"' in html and 'data-testid="help-button"' in html
    assert "kiosk/kiosk.js" in html


def test_it_refuses_a_revoked_token(client, world):
    token = enrol(client, world.kiosk_coutances, world.olivia)
    assert client.get("/borne/").status_code == 200
    kiosk_token_revoke(token=token, revoked_by=world.olivia)
    response = client.get("/borne/")
    assert response.status_code == 302
    assert response["Location"] == "/borne/enrolement/"


def test_it_refuses_the_token_of_a_kiosk_retired_after_enrolment(client, world):
    enrol(client, world.kiosk_saint_lo, world.olivia)
    world.kiosk_saint_lo.status = world.kiosk_saint_lo.Status.RETIRED
    world.kiosk_saint_lo.save()
    assert client.get("/borne/")["Location"] == "/borne/enrolement/"


def test_it_serves_the_shared_browser_modules_from_the_kiosk_app(client, world):
    from django.contrib.staticfiles import finders

    for path in [
        "visiorelais/realtime.js",
        "visiorelais/peer.js",
        "visiorelais/words.js",
        "kiosk/kiosk.js",
        "kiosk/kiosk.css",
    ]:
        assert finders.find(path), path

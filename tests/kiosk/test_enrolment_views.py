import json

from visiorelais.accounts.auth import KIOSK_COOKIE
from visiorelais.accounts.models import KioskToken
from visiorelais.accounts.services import kiosk_enrolment_issue


def test_the_enrolment_page_is_in_french(client, world):
    response = client.get("/borne/enrolement/")
    assert response.status_code == 200
    assert "Enrôler cette borne" in response.text and 'lang="fr"' in response.text


def test_the_browser_enrols_and_keeps_its_token_in_an_httponly_cookie(client, world):
    _, code = kiosk_enrolment_issue(kiosk=world.kiosk_coutances, issued_by=world.olivia)
    response = client.post("/borne/enrolement/", {"code": code})
    assert response.status_code == 200
    assert "BRN-COUT-01" in response.text
    cookie = response.cookies[KIOSK_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    me = client.get("/api/kiosk/me")
    assert me.json()["code"] == "BRN-COUT-01"


def test_a_used_code_shows_a_french_error_and_keeps_what_was_typed(client, world):
    _, code = kiosk_enrolment_issue(kiosk=world.kiosk_coutances, issued_by=world.olivia)
    client.post("/borne/enrolement/", {"code": code})
    response = client.post("/borne/enrolement/", {"code": code})
    assert response.status_code == 400
    assert "déjà servi" in response.text
    assert f'value="{code}"' in response.text
    assert KioskToken.objects.count() == 1


def test_the_bridge_enrols_through_the_json_api(client, world):
    _, code = kiosk_enrolment_issue(kiosk=world.kiosk_saint_lo, issued_by=world.olivia)
    response = client.post("/api/kiosk/enrol", json.dumps({"code": code}), content_type="application/json")
    assert response.status_code == 201
    token = response.json()["token"]
    me = client.get("/api/kiosk/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json() == {"code": "BRN-STLO-01", "label": "Borne de Saint-Lô", "site": str(world.saint_lo)}


def test_the_json_api_refuses_bad_input_clearly(client, world):
    for body in ["not json", "[]", json.dumps({"code": 12}), json.dumps({"code": "ZZZZZ-ZZZZZ"})]:
        response = client.post("/api/kiosk/enrol", body, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["error"]
    big = client.post("/api/kiosk/enrol", json.dumps({"code": "A" * 5000}), content_type="application/json")
    assert big.status_code == 413
    assert not KioskToken.objects.exists()


def test_an_unauthenticated_kiosk_is_told_so(client, world):
    assert client.get("/api/kiosk/me").status_code == 401
    assert client.get("/api/kiosk/me", headers={"Authorization": "Bearer nope"}).status_code == 401

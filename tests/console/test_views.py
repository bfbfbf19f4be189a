import json

import pytest
from django.test import Client

from tests.conftest import PASSWORD

CONSOLE = "/console/"
LOGIN = "/console/connexion/"
LOGOUT = "/console/deconnexion/"


def config_of(response) -> dict:
    """The JSON the page hands to console.js (`json_script`)."""
    html = response.text
    start = html.index(">", html.index('id="console-config"')) + 1
    return json.loads(html[start : html.index("</script>", start)])


def test_the_login_page_is_in_french(client, world):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert 'lang="fr"' in response.text
    assert "Connexion à la console agent" in response.text
    assert "Mot de passe" in response.text and "Se connecter" in response.text


def test_a_wrong_password_is_refused_in_french(client, world):
    response = client.post(LOGIN, {"username": "alice", "password": "pas-le-bon"})
    assert response.status_code == 200
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in response.text
    assert "_auth_user_id" not in client.session


def test_an_agent_logs_in_with_a_password_and_lands_on_the_console(client, world):
    response = client.post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == CONSOLE
    assert client.get(CONSOLE).status_code == 200


def test_the_console_sends_anonymous_visitors_to_the_login_page(client, world):
    response = client.get(CONSOLE)
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next={CONSOLE}"


def test_the_console_shows_alice_the_stations_and_topics_of_her_partner_only(client, world):
    client.force_login(world.alice)
    response = client.get(CONSOLE)
    assert response.status_code == 200
    html = response.text
    assert "Réception des appels — CAF" in html
    assert "CAF poste 1" in html and "CAF poste 2" in html
    assert f'data-testid="station-take-{world.caf_station_1.pk}"' in html
    assert "Prime d&#x27;activité" in html
    assert "CPAM poste 1" not in html and "Carte Vitale" not in html
    assert f'<option value="{world.caf_topic.pk}">' in html
    for outcome in ("resolved", "follow_up", "redirected", "other"):
        assert f'data-testid="wrapup-outcome-{outcome}"' in html
    config = config_of(response)
    assert config["socket_path"] == "/ws/console/"
    assert config["agent"] == {"id": world.alice.pk, "name": "Alice"}
    assert config["partner"] == {"id": world.caf.pk, "short_name": "CAF"}
    assert config["topics"] == [{"id": world.caf_topic.pk, "label": "Prime d'activité"}]


def test_the_console_loads_its_script_as_a_module(client, world):
    client.force_login(world.alice)
    html = client.get(CONSOLE).text
    assert '<script type="module" src="/static/console/console.js">' in html
    assert 'id="console-strings"' in html


def test_a_partner_admin_may_use_the_console(client, world):
    client.force_login(world.paula)
    assert client.get(CONSOLE).status_code == 200


def test_bob_sees_the_cpam_console(client, world):
    client.force_login(world.bob)
    html = client.get(CONSOLE).text
    assert "CPAM poste 1" in html and "Carte Vitale" in html
    assert "CAF poste 1" not in html


@pytest.mark.parametrize("username", ["olivia", "hugo", "oscar", "mona"])
def test_people_who_are_not_partner_agents_get_a_french_403(client, world, username):
    client.force_login(getattr(world, username))
    response = client.get(CONSOLE)
    assert response.status_code == 403
    assert 'lang="fr"' in response.text
    assert "Accès refusé" in response.text
    assert "n'est pas celui d'un agent partenaire" in response.text
    assert "station-take" not in response.text


def test_logging_out_by_post_ends_the_session(client, world):
    client.force_login(world.alice)
    response = client.post(LOGOUT)
    assert response.status_code == 302
    assert response.url == LOGIN
    assert "_auth_user_id" not in client.session
    assert client.get(CONSOLE).status_code == 302


def test_a_get_on_the_logout_address_only_asks_for_confirmation(client, world):
    client.force_login(world.alice)
    response = client.get(LOGOUT)
    assert response.status_code == 200
    assert "Se déconnecter ?" in response.text
    assert 'method="post"' in response.text
    assert client.session["_auth_user_id"] == str(world.alice.pk)
    assert client.get(CONSOLE).status_code == 200


def test_logging_out_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)
    response = client.post(LOGOUT)
    assert response.status_code == 403
    assert client.session["_auth_user_id"] == str(world.alice.pk)

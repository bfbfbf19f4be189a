import base64
import datetime as dt
import hashlib
import hmac

import pytest

from visiorelais.calls.turn import ice_servers_for

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # 1772442000


@pytest.fixture
def turn_settings(settings):
    settings.STUN_URLS = ["stun:turn.example.test:3478"]
    settings.TURN_URLS = ["turn:turn.example.test:3478?transport=udp", "turn:turn.example.test:3478?transport=tcp"]
    settings.TURN_SECRET = "north-wind"
    settings.TURN_TTL = 600
    return settings


def test_it_gives_stun_as_is_and_turn_with_rest_credentials(turn_settings):
    servers = ice_servers_for(principal="call-42-kiosk", now=NOW)

    assert servers[0] == {"urls": ["stun:turn.example.test:3478"]}
    turn = servers[1]
    assert turn["urls"] == ["turn:turn.example.test:3478?transport=udp", "turn:turn.example.test:3478?transport=tcp"]
    assert turn["username"] == "1772442600:call-42-kiosk"
    expected = base64.b64encode(hmac.new(b"north-wind", b"1772442600:call-42-kiosk", hashlib.sha1).digest())
    assert turn["credential"] == expected.decode()
    assert len(servers) == 2


def test_the_credential_matches_a_known_vector(turn_settings):
    # Computed outside Python, with openssl:
    #   printf '%s' '1772442600:call-42-kiosk' | openssl dgst -sha1 -hmac north-wind -binary | base64
    turn = ice_servers_for(principal="call-42-kiosk", now=NOW)[1]
    assert turn["credential"] == "aJiJtLFS7MJnoHqtdVxEM2MBAMw="


def test_the_expiry_is_now_plus_the_ttl(turn_settings):
    turn_settings.TURN_TTL = 3600
    turn = ice_servers_for(principal="agent-7", now=NOW)[1]
    assert turn["username"] == f"{int(NOW.timestamp()) + 3600}:agent-7"


def test_the_expiry_defaults_to_the_current_time(turn_settings, time_machine):
    time_machine.move_to(NOW, tick=False)
    turn = ice_servers_for(principal="agent-7")[1]
    assert turn["username"] == "1772442600:agent-7"


def test_a_new_principal_gives_a_new_credential(turn_settings):
    kiosk = ice_servers_for(principal="call-42-kiosk", now=NOW)[1]
    agent = ice_servers_for(principal="call-42-agent", now=NOW)[1]
    assert kiosk["credential"] != agent["credential"]


@pytest.mark.parametrize(("urls", "secret"), [([], "north-wind"), (["turn:turn.example.test:3478"], "")])
def test_there_is_no_turn_entry_without_urls_or_secret(turn_settings, urls, secret):
    turn_settings.TURN_URLS = urls
    turn_settings.TURN_SECRET = secret
    assert ice_servers_for(principal="call-42-kiosk", now=NOW) == [{"urls": ["stun:turn.example.test:3478"]}]


def test_empty_settings_give_no_ice_server(settings):
    settings.STUN_URLS = []
    settings.TURN_URLS = []
    settings.TURN_SECRET = ""
    assert ice_servers_for(principal="call-42-kiosk", now=NOW) == []


def test_it_refuses_a_principal_with_a_colon(turn_settings):
    with pytest.raises(ValueError, match="principal"):
        ice_servers_for(principal="call:42", now=NOW)


def test_it_refuses_a_naive_time(turn_settings):
    with pytest.raises(ValueError, match="aware"):
        ice_servers_for(principal="call-42", now=dt.datetime(2026, 3, 2, 9, 0))

import json
import os
import subprocess
import sys

import pytest


def test_healthz_says_alive(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db(transaction=True)
def test_readyz_checks_the_database_and_the_channel_layer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": True, "channel_layer": True}}


@pytest.mark.django_db(transaction=True)
def test_readyz_reports_an_unreachable_channel_layer(client, settings):
    # A Redis layer pointed at a closed port on loopback: the probe must say which part is down.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:9"]},
        }
    }
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    try:
        response = client.get("/readyz")
    finally:
        channel_layers.backends.clear()
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "channel_layer": False}


def test_readyz_reports_an_unreachable_database(tmp_path):
    # A real outage: a fresh process whose DATABASE_URL points at a closed port on loopback.
    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client(HTTP_HOST='127.0.0.1').get('/readyz');"
        "print(r.status_code, r.content.decode())"
    )
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:9/none",
        "DJANGO_SETTINGS_MODULE": "visiorelais.settings",
        "VISIORELAIS_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    status, body = result.stdout.strip().split(" ", 1)
    assert status == "503"
    assert json.loads(body)["checks"] == {"database": False, "channel_layer": True}

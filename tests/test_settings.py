"""The settings module, exercised in fresh processes with the environment a deployment would give."""

import os
import stat
import subprocess
import sys

import pytest

PRODUCTION_KEY = "a-production-secret-key-long-and-random-enough-for-django-checks-0123456789"


def run_visiorelais(args, env, cwd=None):
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, "-m", "visiorelais", *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def test_deploy_check_passes_with_only_debug_secret_key_and_allowed_hosts(tmp_path):
    result = run_visiorelais(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {
            "DEBUG": "0",
            "SECRET_KEY": PRODUCTION_KEY,
            "ALLOWED_HOSTS": "visio.example.fr",
            "VISIORELAIS_DATA_DIR": str(tmp_path),
        },
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_fails_in_debug_mode(tmp_path):
    result = run_visiorelais(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {"DEBUG": "1", "SECRET_KEY": PRODUCTION_KEY, "VISIORELAIS_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def read_setting(name, env):
    script = f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"}}
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**base, "DJANGO_SETTINGS_MODULE": "visiorelais.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_an_unset_secret_key_is_generated_once_into_a_private_file(tmp_path):
    first = read_setting("SECRET_KEY", {"VISIORELAIS_DATA_DIR": str(tmp_path)})
    second = read_setting("SECRET_KEY", {"VISIORELAIS_DATA_DIR": str(tmp_path)})
    key_file = tmp_path / "secret_key"
    assert first == second == key_file.read_text()
    assert len(first) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "django.db.backends.sqlite3"),
        ({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test"}, "django.db.backends.postgresql"),
    ],
)
def test_the_database_comes_from_database_url(tmp_path, env, expected):
    engine = read_setting("DATABASES['default']['ENGINE']", {"VISIORELAIS_DATA_DIR": str(tmp_path), **env})
    assert engine == expected


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "visiorelais.channel_layers.ThrottledInMemoryChannelLayer"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/0"}, "channels_redis.core.RedisChannelLayer"),
    ],
)
def test_the_channel_layer_is_redis_only_when_redis_url_is_set(tmp_path, env, expected):
    backend = read_setting("CHANNEL_LAYERS['default']['BACKEND']", {"VISIORELAIS_DATA_DIR": str(tmp_path), **env})
    assert backend == expected

"""Two real uvicorn processes sharing the test's PostgreSQL database and a private Redis.

Data that a test commits (they are `transaction=True` tests) is visible to both servers; groups travel through
Redis. Server logs are printed at teardown, so pytest shows them when a test fails.
"""

from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from bench._servers import AsgiServer, RedisServer
from visiorelais.accounts.services import kiosk_enrol, kiosk_enrolment_issue

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
NEEDS_POSTGRES = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="two server processes need a database they can share while the test commits: run with "
    "DATABASE_URL=postgres://… (make test-postgres); SQLite's in-memory test database is private to pytest",
)


def database_url() -> str:
    """The URL of the database pytest-django created for this run (test_…), for the server processes."""
    params = connection.settings_dict
    user = quote(params["USER"] or "", safe="")
    password = f":{quote(params['PASSWORD'], safe='')}" if params["PASSWORD"] else ""
    host = params["HOST"] or "127.0.0.1"
    port = f":{params['PORT']}" if params["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{quote(params['NAME'], safe='')}"


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(work_dir=tmp_path / "redis")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def servers(transactional_db, redis_server, tmp_path):
    """Servers A and B, started and ready; stopped by pid at teardown (before the database is flushed)."""
    env = {
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_server.url,
        "SECRET_KEY": settings.SECRET_KEY,
        "VISIORELAIS_DATA_DIR": str(tmp_path / "data"),
        "PARTNERS_ALWAYS_OPEN": "1",
    }
    pair = [AsgiServer(env=env, log_path=tmp_path / f"server-{name}.log") for name in "ab"]
    try:
        for server in pair:
            server.start()
        yield pair
    finally:
        for server in pair:
            server.stop()
        for name, server in zip("AB", pair, strict=True):
            print(f"--- server {name} (port {server.port}) log ---\n{server.log()}")


def enrolled_token(kiosk, *, issued_by) -> str:
    """Enrols `kiosk` as an operator would, and returns the device token its cookie carries."""
    _, code = kiosk_enrolment_issue(kiosk=kiosk, issued_by=issued_by)
    return kiosk_enrol(code=code)[1]


def logged_in_session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value

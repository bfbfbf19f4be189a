"""Fixtures of the browser suite, which `make test-e2e` runs inside a private network namespace with only loopback.

Processes (one each per test session, started on first use, stopped by pid at the end):
    asgi_server    uvicorn serving visiorelais.asgi:application on 127.0.0.1 (DEBUG=1), on the suite's own SQLite
                   file; `.url`, `.ws_url`, `.stop()`, `.start()`, `.restart()`. TURN settings come from
                   `asgi_server_env` (override that session fixture in a conftest to change the server's env),
                   with PARTNERS_ALWAYS_OPEN=1; `serve_with(**env)` restarts it with more for one test.
    turn_server    coturn on 127.0.0.1 with the TURN REST scheme; `.urls`, `.stun_urls`, `.secret`.
    static_site    tests/e2e/pages served on 127.0.0.1, for test-only pages.
Browser and peers (per test, closed at the end):
    new_page(origin=None, name=None, **context_options) -> Page, each in its own browser context (its own
                   cookies, like another machine), camera and microphone granted for `origin` (default: the live
                   server, also the base URL so that `page.goto("/borne/")` works). `page` is one of them.
    new_aiortc_peer(ice_servers=[...], send_video=True) -> AiortcPeer, on the `aio` loop thread.
Database:
    Every test may use the ORM: writes are committed at once and the live server sees them. The tables are
    emptied before each test (not content types and permissions, which the server caches), so `world` (from
    tests/conftest.py) works here as everywhere. Do not use the `django_db` marker in this folder.
    `turn_settings` makes the test process's TURN settings those of the live server.
When a test fails, its report shows the server's and coturn's log lines written during the test, each page's
console, and where a screenshot of each page was saved.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import ifaddr
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, connections
from django.test.utils import override_settings
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.harness import AiortcPeer, AsgiServer, AsyncioThread, StaticSite, TurnServer, launch_chromium
from tests.e2e.harness.processes import only_loopback_interfaces

E2E_DIR = Path(__file__).resolve().parent
PAGES_DIR = E2E_DIR / "pages"
# The server caches content types by id: recreating them (as pytest-django's flush does) would leave it stale.
KEPT_TABLES = {"django_migrations", "django_content_type", "auth_permission"}

DIAGNOSTICS = pytest.StashKey[list[tuple[str, Callable[[], str]]]]()


def add_diagnostic(node: pytest.Item, title: str, read: Callable[[], str]) -> None:
    """Registers a section (`read()` is called only if the test fails) for the test's failure report."""
    node.stash.setdefault(DIAGNOSTICS, []).append((title, read))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.failed and report.when in ("setup", "call"):
        for title, read in item.stash.get(DIAGNOSTICS, []):
            try:
                text = read()
            except Exception as error:  # a diagnostic must never hide the failure it explains
                text = f"(could not read: {error!r})"
            report.sections.append((title, text or "(empty)"))
    return report


@pytest.fixture(scope="session", autouse=True)
def _loopback_only_network() -> None:
    """The suite runs only where nothing but loopback can be reached (`make test-e2e`)."""
    others = only_loopback_interfaces()
    if not others:
        return
    message = (
        f"the browser suite runs in a loopback-only network namespace, and this one has {', '.join(others)}: "
        "run it with `make test-e2e` (or `bash scripts/e2e.sh [pytest args]`)"
    )
    if os.environ.get("VISIORELAIS_E2E") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


# --- Database: one SQLite file, shared with the live server --------------------------------------------------


@pytest.fixture(scope="session")
def e2e_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The live server's VISIORELAIS_DATA_DIR: db.sqlite3, media/, static/."""
    return tmp_path_factory.mktemp("visiorelais-data")


@pytest.fixture(scope="session")
def django_db_setup(e2e_data_dir: Path, django_db_blocker) -> Iterator[None]:
    """Points the test process at the live server's database file and migrates it (pytest-django's
    "using an existing database" recipe): no test database, no transaction around the tests."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        pytest.fail("the browser suite runs on SQLite only: unset DATABASE_URL", pytrace=False)
    connections.close_all()
    database["NAME"] = str(e2e_data_dir / "db.sqlite3")
    paths = override_settings(
        DATA_DIR=e2e_data_dir, MEDIA_ROOT=e2e_data_dir / "media", STATIC_ROOT=e2e_data_dir / "static"
    )
    paths.enable()
    with django_db_blocker.unblock():
        call_command("migrate", interactive=False, verbosity=0)
    yield
    connections.close_all()
    paths.disable()


def empty_tables() -> None:
    """Deletes every row but the migrations, content types and permissions, in one transaction."""
    tables = [
        table
        for table in connection.introspection.django_table_names(only_existing=True, include_views=False)
        if table not in KEPT_TABLES
    ]
    connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables))


@pytest.fixture(autouse=True)
def e2e_db(request: pytest.FixtureRequest, e2e_data_dir: Path, django_db_setup, django_db_blocker) -> Iterator[None]:
    """ORM access for the whole test, on tables emptied beforehand, every write committed at once."""
    if request.node.get_closest_marker("django_db"):
        pytest.fail(
            "no django_db marker in tests/e2e: the ORM is open and writes are committed (see conftest)",
            pytrace=False,
        )
    with django_db_blocker.unblock():
        # Never empty anything but the suite's own file.
        assert Path(connection.settings_dict["NAME"]).parent == e2e_data_dir
        empty_tables()
        yield


@pytest.fixture
def db(e2e_db) -> None:
    """In tests/e2e, `db` is the committed database that the live server reads (see e2e_db)."""


@pytest.fixture
def transactional_db(e2e_db) -> None:
    """As `db`: pytest-django's flush would recreate content types under the live server's cache."""


# --- Processes ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def turn_server_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TurnServer]:
    server = TurnServer(work_dir=tmp_path_factory.mktemp("coturn"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def turn_server(turn_server_process: TurnServer, request: pytest.FixtureRequest) -> TurnServer:
    """coturn on loopback (session-wide), its log lines of this test added to the report if the test fails."""
    offset = turn_server_process.log.size()
    add_diagnostic(request.node, "coturn log (this test)", lambda: turn_server_process.log.text(offset))
    return turn_server_process


@pytest.fixture(scope="session")
def asgi_server_env(turn_server_process: TurnServer) -> dict[str, str]:
    """Environment added to the live server's (a session fixture: override it in a conftest to change it)."""
    return {
        "STUN_URLS": ",".join(turn_server_process.stun_urls),
        "TURN_URLS": ",".join(turn_server_process.urls),
        "TURN_SECRET": turn_server_process.secret,
        "TURN_TTL": "600",
        # The live server reads the real clock: every partner answers at any hour, so that the suite passes at night.
        "PARTNERS_ALWAYS_OPEN": "1",
    }


@pytest.fixture(scope="session")
def asgi_server_process(
    django_db_setup, e2e_data_dir: Path, asgi_server_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AsgiServer]:
    # Same SECRET_KEY as the test process, so that sessions it writes (login()) are valid on the server.
    env = {"SECRET_KEY": settings.SECRET_KEY, **asgi_server_env}
    server = AsgiServer(data_dir=e2e_data_dir, env=env, log_path=tmp_path_factory.mktemp("uvicorn") / "uvicorn.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def asgi_server(asgi_server_process: AsgiServer, request: pytest.FixtureRequest) -> Iterator[AsgiServer]:
    """The live server (session-wide); a test may stop or restart it, and gets it running again afterwards."""
    offset = asgi_server_process.log.size()
    add_diagnostic(request.node, "uvicorn log (this test)", lambda: asgi_server_process.log.text(offset))
    yield asgi_server_process
    if not asgi_server_process.running:
        asgi_server_process.start()


@pytest.fixture
def serve_with(asgi_server: AsgiServer) -> Iterator[Callable[..., AsgiServer]]:
    """Factory: `serve_with(CALL_RING_TIMEOUT_SECONDS="2")` restarts the live server (same port and database) with
    that environment added to `asgi_server_env`; after the test it is restarted with the session's environment.
    Ask for it before `new_page` (pages close first, and no page reconnects to the server being restored)."""
    session_env = dict(asgi_server.extra_env)
    changed = False

    def factory(**env: str) -> AsgiServer:
        nonlocal changed
        changed = True
        asgi_server.extra_env = {**session_env, **env}
        asgi_server.restart()
        return asgi_server

    yield factory
    if changed:
        asgi_server.extra_env = session_env
        asgi_server.restart()


@pytest.fixture
def turn_settings(settings, asgi_server_env: dict[str, str]):
    """The test process's STUN/TURN settings made equal to the live server's (e.g. to call ice_servers_for)."""
    settings.STUN_URLS = [url for url in asgi_server_env.get("STUN_URLS", "").split(",") if url]
    settings.TURN_URLS = [url for url in asgi_server_env.get("TURN_URLS", "").split(",") if url]
    settings.TURN_SECRET = asgi_server_env.get("TURN_SECRET", "")
    settings.TURN_TTL = int(asgi_server_env.get("TURN_TTL", "600"))
    return settings


@pytest.fixture(scope="session")
def static_site() -> Iterator[StaticSite]:
    """tests/e2e/pages over HTTP on 127.0.0.1 (a secure context, so camera access works)."""
    site = StaticSite(PAGES_DIR)
    site.start()
    yield site
    site.stop()


# --- Browser and peers --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, with a fake camera and microphone (see harness/browser.py for the flags)."""
    # Playwright's sync API leaves its (idle) event loop registered as running in this thread, which Django
    # takes for an async context and refuses the ORM in. The loop only runs inside Playwright's own calls,
    # so the ORM is safe between them (pytest-django's documented workaround for Playwright).
    unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = launch_chromium(playwright)
            yield chromium
            chromium.close()
    finally:
        if unsafe is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = unsafe


@pytest.fixture
def new_page(browser: Browser, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., Page]]:
    """Factory: `new_page(origin=None, name=None, **context_options)`; each page has its own browser context."""
    contexts = []

    def factory(*, origin: str | None = None, name: str | None = None, **context_options) -> Page:
        if origin is None:
            origin = request.getfixturevalue("asgi_server").url
        label = name or f"page {len(contexts) + 1}"
        context_options.setdefault("locale", "fr-FR")
        context = browser.new_context(base_url=origin, **context_options)
        contexts.append(context)
        context.grant_permissions(["camera", "microphone"], origin=origin)
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
        page.on("crash", lambda _: console.append("the page crashed"))

        def report() -> str:
            shot = tmp_path / f"{label.replace(' ', '-')}.png"
            try:
                page.screenshot(path=shot, full_page=True)
                where = f"screenshot: {shot}"
            except Exception as error:
                where = f"no screenshot ({error})"
            return f"url: {page.url}\n{where}\n" + "\n".join(console)

        add_diagnostic(request.node, f"browser ({label})", report)
        return page

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """One page on the live server's origin."""
    return new_page()


@pytest.fixture
def aio() -> Iterator[AsyncioThread]:
    """An asyncio loop in a thread, for aiortc and any other asyncio client (websockets) in a sync test."""
    thread = AsyncioThread()
    yield thread
    thread.close()


@pytest.fixture
def new_aiortc_peer(aio: AsyncioThread) -> Iterator[Callable[..., AiortcPeer]]:
    """Factory: `new_aiortc_peer(ice_servers=[...], send_video=True)`; ice_servers is required (may be [])."""
    addresses = {ip.ip for adapter in ifaddr.get_adapters() for ip in adapter.ips if isinstance(ip.ip, str)}
    if "127.0.0.2" not in addresses:
        pytest.fail("aiortc needs 127.0.0.2 on lo (it skips 127.0.0.1): run with `make test-e2e`", pytrace=False)
    peers: list[AiortcPeer] = []

    def factory(*, ice_servers: list[dict], send_video: bool = True) -> AiortcPeer:
        peer = AiortcPeer(aio, ice_servers=ice_servers, send_video=send_video)
        peers.append(peer)
        return peer

    yield factory
    for peer in peers:
        peer.close()

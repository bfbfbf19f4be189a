"""Fixtures of the bridge tests: SANE's test scanner and a private CUPS printer, both real (peripherals.py).

    sane_test      SANE_CONFIG_DIR set (for this test) to a private folder: only the `test` backend, A4.
    cups_server    a private cupsd for the whole session (its queue emptied and enabled before each test), with
                   CUPS_SERVER set for this test; `.printed()`, `.out_of_paper()`, `.job_state(id)`.
    workdir        a WorkingFolder in this test's temporary folder.

Tests here are skipped, with the reason, on a machine without sane-utils, cups and cups-filters
(`make system-deps` installs them).
"""

import pytest

from tests.bridge.peripherals import PrivateCups, SaneTestConfig, missing_tools
from visiorelais.bridge.workdir import WorkingFolder

MISSING = missing_tools()


def pytest_collection_modifyitems(config, items):
    if not MISSING:
        return
    skip = pytest.mark.skip(reason=f"needs {', '.join(MISSING)} (make system-deps)")
    for item in items:
        if "tests/bridge/" in str(item.path):
            item.add_marker(skip)


@pytest.fixture
def sane_test(tmp_path_factory, monkeypatch) -> SaneTestConfig:
    config = SaneTestConfig(tmp_path_factory.mktemp("sane"))
    for name, value in config.environment().items():
        monkeypatch.setenv(name, value)
    return config


@pytest.fixture(scope="session")
def cups_process():
    server = PrivateCups()
    server.start()
    yield server
    server.stop()
    server.remove()


@pytest.fixture
def cups_server(cups_process, monkeypatch) -> PrivateCups:
    cups_process.reset()
    for name, value in cups_process.environment().items():
        monkeypatch.setenv(name, value)
    yield cups_process
    # Shown by pytest only when the test fails.
    print(f"--- cupsd error_log ---\n{cups_process.log()}")


@pytest.fixture
def workdir(tmp_path) -> WorkingFolder:
    return WorkingFolder(tmp_path / "work")

"""The bridge's working folder and the small rules of its daemon (no server, no peripherals)."""

import stat

import pytest

from visiorelais.bridge.daemon import BadFrame, backoff_delay, scan_options_of
from visiorelais.bridge.scanners import ScanOptions
from visiorelais.bridge.server import ServerClient, token_read, token_write
from visiorelais.bridge.workdir import WorkingFolder


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_working_folder_and_each_call_folder_are_private(tmp_path):
    workdir = WorkingFolder(tmp_path / "work")

    folder = workdir.for_call(42)

    assert mode(workdir.root) == 0o700
    assert mode(folder) == 0o700
    assert folder == workdir.root / "42"


def test_wiping_a_call_deletes_its_folder_and_counts_its_files(tmp_path):
    workdir = WorkingFolder(tmp_path / "work")
    (workdir.for_call(1) / "scan-a.pdf").write_bytes(b"a")
    (workdir.for_call(1) / "scan-b-pages").mkdir()
    (workdir.for_call(1) / "scan-b-pages" / "page-001.png").write_bytes(b"b")
    (workdir.for_call(2) / "print-7").write_bytes(b"c")

    assert workdir.wipe(1) == 2
    assert workdir.wipe(1) == 0
    assert workdir.leftovers() == [2]


def test_wiping_everything_keeps_only_the_live_call_and_removes_strays(tmp_path):
    workdir = WorkingFolder(tmp_path / "work")
    (workdir.for_call(1) / "a").write_bytes(b"a")
    (workdir.for_call(2) / "b").write_bytes(b"b")
    (workdir.root / "stray.tmp").write_bytes(b"c")

    wiped = workdir.wipe_all(keep=2)

    assert wiped == {1: 1, 0: 1}
    assert [path.name for path in workdir.files()] == ["b"]


def test_the_token_file_is_written_0600_and_read_back(tmp_path):
    path = tmp_path / "etc" / "token"

    token_write(path, "secret-token")
    token_write(path, "new-token")

    assert mode(path) == 0o600
    assert token_read(path) == "new-token"
    assert token_read(tmp_path / "missing") is None


def test_the_socket_url_and_origin_follow_the_server_url():
    secure = ServerClient("https://visio.example.fr/")
    local = ServerClient("http://127.0.0.1:8000")

    assert (secure.socket_url, secure.origin) == ("wss://visio.example.fr/ws/bridge/", "https://visio.example.fr")
    assert (local.socket_url, local.origin) == ("ws://127.0.0.1:8000/ws/bridge/", "http://127.0.0.1:8000")
    with pytest.raises(ValueError, match="http"):
        ServerClient("ftp://visio.example.fr")


def test_backoff_doubles_from_half_a_second_to_fifteen_with_jitter():
    for attempt, base in [(0, 0.5), (1, 1.0), (3, 4.0), (10, 15.0)]:
        delays = [backoff_delay(attempt) for _ in range(200)]
        assert base * 0.7 <= min(delays) <= max(delays) <= base * 1.3


def test_scan_options_are_taken_from_the_server_within_bounds():
    defaults = ScanOptions(resolution=200)

    asked = scan_options_of({"options": {"resolution": 300, "mode": "Color", "source": "Flatbed"}}, defaults)
    odd = scan_options_of({"options": {"resolution": 100000, "mode": "Infrared", "source": "Tray 9"}}, defaults)
    missing = scan_options_of({}, defaults)

    assert asked == ScanOptions(resolution=300, mode="Color", source="Flatbed")
    assert odd == ScanOptions(resolution=600, mode="Gray", source="ADF")
    assert missing == defaults
    with pytest.raises(BadFrame):
        scan_options_of({"type": "scan.start", "options": [300]}, defaults)

"""A real kiosk bridge for the browser suite: `visiorelais bridge` as a process of its own, enrolled for a kiosk,
scanning with SANE's `test` backend (a private SANE_CONFIG_DIR) and printing to a private cupsd's PDF queue
(tests/bridge/peripherals.py), or to no printer at all (`cups=None`). It lives in the suite's network namespace
and talks to the live server only.

    bridge = BridgeProcess(server_url, workdir=..., sane=SaneTestConfig(...), cups=PrivateCups(...))
    bridge.start(enrolment_code)      # enrols (POST /api/kiosk/enrol), then runs the daemon
    bridge.stop()                     # SIGTERM: the daemon wipes its working folder and exits 0
    bridge.files()                    # what its working folder holds now
    bridge.log()                      # its log (shown in a failing test's report)
"""

import signal
import subprocess
import sys
from pathlib import Path

from bench._servers import REPO_ROOT, clean_environment
from tests.bridge.peripherals import PrivateCups, SaneTestConfig
from visiorelais.bridge.server import ServerClient, token_write


class BridgeProcess:
    def __init__(
        self,
        server_url: str,
        *,
        folder: Path,
        sane: SaneTestConfig,
        cups: PrivateCups | None,
        max_pages: int = 2,
    ):
        self.server_url = server_url
        self.folder = folder
        self.workdir = folder / "work"
        self.token_file = folder / "token"
        self.log_path = folder / "bridge.log"
        self.sane = sane
        self.cups = cups
        self.max_pages = max_pages
        self.process: subprocess.Popen | None = None
        self.returncode: int | None = None

    def start(self, enrolment_code: str) -> "BridgeProcess":
        self.folder.mkdir(parents=True, exist_ok=True)
        answer = ServerClient(self.server_url).enrol_sync(enrolment_code)
        token_write(self.token_file, answer["token"])
        # Without a private cupsd, a scheduler socket that does not exist: the printer is reported absent.
        printer = self.cups.environment() if self.cups else {"CUPS_SERVER": str(self.folder / "no-cups.sock")}
        env = clean_environment(VISIORELAIS_DATA_DIR=str(self.folder / "data"), **self.sane.environment(), **printer)
        command = [
            sys.executable, "-m", "visiorelais", "bridge", "-v", "2", "--server", self.server_url,
            "--token-file", str(self.token_file), "--scanner", "test", "--max-pages", str(self.max_pages),
            "--workdir", str(self.workdir),
        ]  # fmt: skip
        if self.cups is not None:
            command += ["--printer", self.cups.queue]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
        return self

    def files(self) -> list[Path]:
        if not self.workdir.exists():
            return []
        return sorted(path for path in self.workdir.rglob("*") if path.is_file())

    def stop(self, timeout: float = 20.0) -> int | None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)
        self.returncode = self.process.returncode if self.process is not None else None
        return self.returncode

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-8000:] if self.log_path.exists() else ""

"""Real server processes for the benchmarks and the multi-process tests: uvicorn and a private redis-server.

Every process is a child of the caller, on 127.0.0.1 and a free port, waited for by polling with a deadline (never
a fixed sleep), logged to a file that the caller shows when something fails, and stopped by its pid.
"""

import os
import resource
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

LOOPBACK = "127.0.0.1"
REPO_ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")

# Never through a proxy: all of this traffic is for loopback, and a proxy variable would send it elsewhere.
_direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def wait_until(condition: Callable[[], T], timeout: float, *, interval: float = 0.05, message: str = "") -> T:
    """Calls `condition` until it returns a truthy value, and returns it; AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            what = message or getattr(condition, "__name__", repr(condition))
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}; last value: {value!r}")
        time.sleep(interval)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now; the caller binds it next (a lost race shows as "address in use")."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def http_status(url: str, *, timeout: float = 2.0) -> int | None:
    """The HTTP status of GET `url` (no proxy), or None when nothing answers."""
    try:
        with _direct.open(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def raise_open_files_limit(wanted: int) -> int:
    """Raises this process's soft RLIMIT_NOFILE towards `wanted` (children inherit it); returns the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def rss_kb(pid: int) -> int:
    """Resident memory of process `pid` in KiB (VmRSS of /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def _stop(process: subprocess.Popen, sig: int = signal.SIGTERM, *, timeout: float = 10.0) -> None:
    """Sends `sig` to the child, waits for it, and kills it if it is still there after `timeout` seconds."""
    if process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


def _tail(path: Path, since: int = 0, limit: int = 20000) -> str:
    if not path.exists():
        return ""
    with path.open("rb") as handle:
        handle.seek(since)
        text = handle.read().decode("utf-8", "replace")
    return text[-limit:]


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without what would point a child elsewhere (database, Redis, proxies, pytest),
    plus `extra`."""
    dropped = {"DATABASE_URL", "REDIS_URL", "VISIORELAIS_DATA_DIR"}
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in dropped and not key.lower().endswith("_proxy") and not key.startswith("PYTEST_")
    }
    env.update(DJANGO_SETTINGS_MODULE="visiorelais.settings", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


class RedisServer:
    """A private `redis-server` on 127.0.0.1: no persistence, its pid file and log in `work_dir`."""

    def __init__(self, *, work_dir: Path):
        self.work_dir = work_dir
        self.port = free_port()
        self.pid_path = work_dir / "redis.pid"
        self.log_path = work_dir / "redis.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://{LOOPBACK}:{self.port}/0"

    def _pong(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"redis-server exited with {self.process.returncode}\n{_tail(self.log_path)}")
        try:
            with socket.create_connection((LOOPBACK, self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self, *, timeout: float = 10.0) -> None:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        command = ["redis-server", "--bind", LOOPBACK, "--port", str(self.port), "--save", "", "--appendonly", "no"]
        command += ["--dir", str(self.work_dir), "--pidfile", str(self.pid_path), "--logfile", str(self.log_path)]
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        try:
            wait_until(self._pong, timeout, message=f"redis-server on port {self.port}")
        except AssertionError as error:
            self.stop()
            raise RuntimeError(f"{error}\n--- redis log ---\n{_tail(self.log_path)}") from None

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)


class AsgiServer:
    """`uvicorn visiorelais.asgi:application` on 127.0.0.1 with DEBUG=1, as `make serve` runs it.

    `env` is added to a clean environment (DATABASE_URL, REDIS_URL, VISIORELAIS_DATA_DIR, SECRET_KEY…);
    `uvicorn_args` are added to the command line (e.g. `--ws-per-message-deflate false`). The port stays the
    same across `stop()` and `start()`, so a test can restart the server under its clients.
    """

    def __init__(self, *, env: dict[str, str], log_path: Path, port: int | None = None, uvicorn_args=()):
        self.env = clean_environment(DEBUG="1", ALLOWED_HOSTS=LOOPBACK, **env)
        self.log_path = log_path
        self.port = port or free_port()
        self.uvicorn_args = list(uvicorn_args)
        self.process: subprocess.Popen | None = None
        self._log_offset = 0

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{LOOPBACK}:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self, *, since_start: bool = False) -> str:
        return _tail(self.log_path, self._log_offset if since_start else 0)

    def _ready(self) -> bool:
        if not self.running:
            raise RuntimeError(
                f"uvicorn exited with {self.process.returncode}\n--- log ---\n{self.log(since_start=True)}"
            )
        return http_status(f"{self.url}/readyz", timeout=5.0) == 200

    def start(self, *, timeout: float = 30.0) -> None:
        """Starts the server and returns once /readyz answers 200 (database and channel layer up)."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        command = [sys.executable, "-m", "uvicorn", "visiorelais.asgi:application", "--host", LOOPBACK]
        command += ["--port", str(self.port), "--timeout-graceful-shutdown", "3", "--no-access-log"]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command + self.uvicorn_args,
                cwd=REPO_ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_until(self._ready, timeout, interval=0.1, message=f"{self.url}/readyz")
        except AssertionError as error:
            self.stop()
            raise RuntimeError(f"{error}\n--- uvicorn log ---\n{self.log(since_start=True)}") from None

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None:
            _stop(self.process, sig)

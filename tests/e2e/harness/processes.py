"""Real processes for the browser suite, each on loopback and a free port: uvicorn, coturn, a static web site.

Every process is started as a child, waited for by polling with a deadline, logged to a file that the suite
prints when a test fails, and stopped by its pid.
"""

import http.server
import os
import secrets
import signal
import socket
import struct
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from functools import partial
from pathlib import Path

from tests.e2e.harness.waiting import wait_until

LOOPBACK = "127.0.0.1"
REPO_ROOT = Path(__file__).resolve().parents[3]

# Never through a proxy: the suite talks to loopback only, and a proxy variable would send it elsewhere.
_direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port(*, udp_too: bool = False) -> int:
    """A port that is free on 127.0.0.1 now (TCP, and UDP as well when `udp_too`); the caller binds it next."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind((LOOPBACK, 0))
            port = tcp.getsockname()[1]
            if not udp_too:
                return port
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind((LOOPBACK, port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free port on 127.0.0.1")


def http_get(url: str, *, timeout: float = 2.0) -> tuple[int, bytes]:
    """GET `url` directly (no proxy); returns the status and the body, error statuses included."""
    try:
        with _direct.open(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _stop_pid(process: subprocess.Popen, *, timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if the process is still there after `timeout` seconds."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


class _LogFile:
    """A child's output file, read back from a byte offset (what a given test caused)."""

    def __init__(self, path: Path):
        self.path = path

    def size(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0

    def text(self, since: int = 0) -> str:
        if not self.path.exists():
            return ""
        with self.path.open("rb") as handle:
            handle.seek(since)
            return handle.read().decode("utf-8", "replace")


class AsgiServer:
    """`uvicorn visiorelais.asgi:application` on 127.0.0.1, as `make serve` runs it, with DEBUG=1.

    `data_dir` becomes VISIORELAIS_DATA_DIR: the SQLite database (already migrated by the caller), the media and
    the secret key live there. `env` is added to the environment (TURN_URLS, TURN_SECRET, SECRET_KEY…);
    DATABASE_URL, REDIS_URL and proxy variables are removed unless `env` sets them.
    `stop()` and `start()` may be called by a test (a server restart mid-call); the port stays the same.
    """

    def __init__(self, *, data_dir: Path, env: dict[str, str], log_path: Path, port: int | None = None):
        self.data_dir = data_dir
        self.extra_env = dict(env)
        self.log = _LogFile(log_path)
        self._fixed_port = port is not None
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """The origin, e.g. http://127.0.0.1:41234 (no trailing slash)."""
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{LOOPBACK}:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def environment(self) -> dict[str, str]:
        # DJANGO_ALLOW_ASYNC_UNSAFE is the test process's workaround for Playwright: the server must keep
        # Django's async-safety checks.
        dropped = {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in dropped and not key.lower().endswith("_proxy") and not key.startswith("PYTEST_")
        }
        env.update(
            DJANGO_SETTINGS_MODULE="visiorelais.settings",
            DEBUG="1",
            ALLOWED_HOSTS=f"{LOOPBACK},localhost",
            VISIORELAIS_DATA_DIR=str(self.data_dir),
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        return env

    def start(self, *, timeout: float = 30.0) -> None:
        """Starts the server and returns once /readyz answers 200; raises with the log if it does not."""
        for attempt in range(3):
            offset = self.log.size()
            with self.log.path.open("ab") as log:
                self.process = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "uvicorn",
                        "visiorelais.asgi:application",
                        "--host",
                        LOOPBACK,
                        "--port",
                        str(self.port),
                        "--timeout-graceful-shutdown",
                        "3",
                    ],
                    cwd=REPO_ROOT,
                    env=self.environment(),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            try:
                wait_until(self._ready_or_exited, timeout, interval=0.1, message=f"uvicorn on {self.url}/readyz")
            except AssertionError as error:
                self.stop()
                raise RuntimeError(f"{error}\n--- uvicorn log ---\n{self.log.text(offset)}") from None
            if self.running:
                return
            # Someone took the port between free_port() and uvicorn's bind: try another one.
            if "address already in use" in self.log.text(offset).lower() and not self._fixed_port and attempt < 2:
                self.port = free_port()
                continue
            raise RuntimeError(
                f"uvicorn exited with {self.process.returncode}\n--- uvicorn log ---\n{self.log.text(offset)}"
            )

    def _ready_or_exited(self) -> bool:
        if not self.running:
            return True
        try:
            status, _ = http_get(f"{self.url}/readyz", timeout=1.0)
        except OSError:
            return False
        return status == 200

    def stop(self) -> None:
        if self.process is not None:
            _stop_pid(self.process)

    def restart(self, *, timeout: float = 30.0) -> None:
        self.stop()
        self.start(timeout=timeout)


def stun_binding_answers(host: str, port: int, *, timeout: float = 0.5) -> bool:
    """Sends one STUN Binding request over UDP (RFC 8489) and says whether a Binding success response came back."""
    transaction = secrets.token_bytes(12)
    request = struct.pack("!HHI", 0x0001, 0, 0x2112A442) + transaction
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.sendto(request, (host, port))
            data, _ = sock.recvfrom(2048)
        except OSError:
            return False
    return len(data) >= 20 and data[:2] == b"\x01\x01" and data[8:20] == transaction


class TurnServer:
    """Debian's coturn (`turnserver`) on 127.0.0.1 with the TURN REST scheme (`use-auth-secret`).

    Loopback peers are allowed (tests only); TLS, DTLS and the CLI are off; relays use a private port range.
    `urls` are ready for TURN_URLS, `stun_urls` for STUN_URLS, `secret` for TURN_SECRET.
    """

    REALM = "visiorelais.test"

    def __init__(self, *, work_dir: Path):
        self.work_dir = work_dir
        self.secret = secrets.token_urlsafe(24)
        self.port = free_port(udp_too=True)
        # 200 relay ports somewhere in 40000–59999, away from the kernel's ephemeral range (32768–60999 overlaps,
        # but the namespace is private and coturn retries a busy port).
        self.min_port = 40000 + secrets.randbelow(100) * 200
        self.max_port = self.min_port + 199
        self.config_path = work_dir / "turnserver.conf"
        self.pid_path = work_dir / "turnserver.pid"
        self.log = _LogFile(work_dir / "turnserver.log")
        self.process: subprocess.Popen | None = None

    @property
    def urls(self) -> list[str]:
        return [f"turn:{LOOPBACK}:{self.port}?transport=udp", f"turn:{LOOPBACK}:{self.port}?transport=tcp"]

    @property
    def stun_urls(self) -> list[str]:
        return [f"stun:{LOOPBACK}:{self.port}"]

    def config(self) -> str:
        return "\n".join(
            [
                f"listening-ip={LOOPBACK}",
                f"relay-ip={LOOPBACK}",
                f"listening-port={self.port}",
                f"min-port={self.min_port}",
                f"max-port={self.max_port}",
                "use-auth-secret",
                f"static-auth-secret={self.secret}",
                f"realm={self.REALM}",
                "fingerprint",
                "allow-loopback-peers",
                "no-multicast-peers",
                "no-tls",
                "no-dtls",
                "no-cli",
                "no-software-attribute",
                f"pidfile={self.pid_path}",
                f"userdb={self.work_dir / 'turndb'}",
                f"log-file={self.log.path}",
                "simple-log",
                "verbose",
                "",
            ]
        )

    def start(self, *, timeout: float = 15.0) -> None:
        """Starts turnserver and returns once it answers a STUN Binding request on its UDP port."""
        self.config_path.write_text(self.config())
        with (self.work_dir / "turnserver.out").open("ab") as out:
            self.process = subprocess.Popen(
                ["turnserver", "-c", str(self.config_path)],
                cwd=self.work_dir,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_until(
                lambda: self.process.poll() is not None or stun_binding_answers(LOOPBACK, self.port),
                timeout,
                message=f"turnserver on {LOOPBACK}:{self.port}",
            )
        except AssertionError as error:
            self.stop()
            raise RuntimeError(f"{error}\n--- turnserver log ---\n{self.diagnostics()}") from None
        if self.process.poll() is not None:
            raise RuntimeError(f"turnserver exited with {self.process.returncode}\n{self.diagnostics()}")

    def diagnostics(self) -> str:
        out = self.work_dir / "turnserver.out"
        return self.log.text() + (out.read_text(errors="replace") if out.exists() else "")

    def stop(self) -> None:
        if self.process is not None:
            _stop_pid(self.process)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass

    def end_headers(self):
        # The pages are test fixtures edited while the suite runs: never let the browser cache them.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


class StaticSite:
    """A folder served over HTTP on 127.0.0.1 from a thread of the test process (secure context: loopback)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._server = http.server.ThreadingHTTPServer((LOOPBACK, 0), partial(_QuietHandler, directory=str(folder)))
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="static-site", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def only_loopback_interfaces() -> list[str]:
    """The network interfaces of this namespace other than lo (empty inside `make test-e2e`)."""
    # if_nameindex asks the kernel about the caller's namespace; /sys/class/net would describe the host's.
    return sorted(name for _, name in socket.if_nameindex() if name != "lo")


def wait_for_port_closed(port: int, *, timeout: float = 10.0) -> None:
    """Waits until nothing accepts TCP connections on 127.0.0.1:`port` (a server really stopped)."""

    def closed() -> bool:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.5)
            return sock.connect_ex((LOOPBACK, port)) != 0

    wait_until(closed, timeout, message=f"port {port} to close")


__all__ = [
    "LOOPBACK",
    "AsgiServer",
    "StaticSite",
    "TurnServer",
    "free_port",
    "http_get",
    "only_loopback_interfaces",
    "stun_binding_answers",
    "wait_for_port_closed",
]

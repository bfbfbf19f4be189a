"""Call setup: the agent accepts → the first decoded video frame on both sides, measured in two Chromium pages.

DESIGN.md "Numbers to respect": median < 1 s, p95 < 2 s (loopback, this machine). 20 calls after one warm-up, on
the demo network, served by uvicorn with coturn configured, everything inside a private network namespace that has
only loopback (as `make test-e2e` runs): bench/_call_setup.py does the calls and prints every sample.

    python -m bench                  every benchmark
    python -c 'from bench import bench_call_setup as b; print(list(b.run()))'
"""

import json
import os
import statistics
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
CALLS = 20
# As scripts/e2e.sh: a network namespace with only lo up, and a PID namespace so that every child ends with it.
NAMESPACE_SCRIPT = 'set -euo pipefail; ip link set lo up; exec "$@"'


def namespace_command(*args: str) -> list[str]:
    unshare = ["unshare", "--net", "--pid", "--fork", "--mount-proc"]
    if os.getuid() != 0:
        unshare.insert(1, "--map-root-user")
    return [*unshare, "--", "bash", "-c", NAMESPACE_SCRIPT, "bash", *args]


def percentile(samples: list[float], fraction: float) -> float:
    """Linear interpolation between the closest ranks (statistics.quantiles, inclusive method)."""
    return statistics.quantiles(samples, n=100, method="inclusive")[round(fraction * 100) - 1]


def measure(calls: int = CALLS) -> list[float]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL") and not key.lower().endswith("_proxy")
    }
    result = subprocess.run(
        namespace_command(sys.executable, "-m", "bench._call_setup", "--calls", str(calls)),
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60 + 20 * calls,
    )
    if result.returncode != 0:
        raise RuntimeError(f"bench._call_setup failed ({result.returncode}):\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])["setup_ms"]


def run() -> Iterator[tuple[str, float, str]]:
    samples = measure()
    yield ("call_setup_p50_ms", round(statistics.median(samples)), "ms")
    yield ("call_setup_p95_ms", round(percentile(samples, 0.95)), "ms")


if __name__ == "__main__":
    for name, value, unit in run():
        print(f"{name}: {value} {unit}")

#!/usr/bin/env bash
# Runs the browser suite (tests/e2e) inside a private network namespace that has only loopback, so that nothing
# the suite starts (uvicorn, coturn, Chromium, aiortc) can reach anything but 127.0.0.0/8.
#   bash scripts/e2e.sh                 the whole suite
#   bash scripts/e2e.sh -k aiortc -x    any pytest arguments
# SQLite only: PostgreSQL and Redis on the host are not reachable from inside.
# A private PID namespace as well: when pytest ends, however it ends, every process it started ends with it.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTEST="${PYTEST:-.venv/bin/pytest}"
UNSHARE=(unshare --net --pid --fork --mount-proc)
# Not root: a user namespace too, mapped to root inside (where the kernel allows unprivileged namespaces).
[ "$(id -u)" -eq 0 ] || UNSHARE=(unshare --map-root-user "${UNSHARE[@]:1}")

# aiortc skips 127.0.0.1 when it gathers candidates, hence 127.0.0.2 as well. bash stays PID 1 (it reaps
# orphans and forwards nothing pytest needs) and pytest runs as its child.
# shellcheck disable=SC2016  # $0 and "$@" belong to the inner bash
env -u DATABASE_URL -u REDIS_URL -u http_proxy -u https_proxy -u all_proxy -u no_proxy \
  -u HTTP_PROXY -u HTTPS_PROXY -u ALL_PROXY -u NO_PROXY VISIORELAIS_E2E=1 \
  "${UNSHARE[@]}" -- bash -c '
    set -euo pipefail
    ip link set lo up
    ip addr add 127.0.0.2/8 dev lo
    "$0" "$@"
  ' "$PYTEST" tests/e2e "$@"

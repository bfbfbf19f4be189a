#!/usr/bin/env bash
# A private PostgreSQL cluster for the tests, in var/pg, on 127.0.0.1:5433, trust auth, owned by `postgres`.
# Used only when the machine's server does not accept a password-less connection. start | stop
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="$PWD/var/pg"
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
run() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "${1:-start}" in
  start)
    if [ ! -f "$DIR/PG_VERSION" ]; then
      mkdir -p "$DIR"
      [ "$(id -u)" -ne 0 ] || chown postgres "$DIR"
      run "$bindir/initdb" -D "$DIR" -U postgres --auth=trust >/dev/null
    fi
    if ! pg_isready -q -h 127.0.0.1 -p 5433; then
      run "$bindir/pg_ctl" -D "$DIR" -o "-p 5433 -k /tmp -c listen_addresses=127.0.0.1" -l "$DIR/log" -w start
    fi
    ;;
  stop)
    [ -f "$DIR/postmaster.pid" ] && run "$bindir/pg_ctl" -D "$DIR" -w stop || true
    ;;
esac

#!/usr/bin/env bash
# Prints a PostgreSQL URL the test suite can use: the one given when it accepts us (trust auth on this kind of
# machine), otherwise a private cluster in var/pg on port 5433 with trust auth, started here with a pid file.
# The private cluster is left running for the next run; `scripts/postgres-private.sh stop` stops it by its pid.
set -euo pipefail
cd "$(dirname "$0")/.."
wanted="$1"
if psql "$wanted" -Atqc 'select 1' >/dev/null 2>&1; then
  echo "$wanted"
  exit 0
fi
bash scripts/postgres-private.sh start >&2
echo "postgres://postgres@127.0.0.1:5433/postgres"

#!/usr/bin/env bash
# The demo kiosk's scanner and printer (make demo): a bridge for BRN-COUT-01 with SANE's `test` scanner and a
# private cupsd whose one queue writes each print to var/prints/. Nothing of the machine's own SANE or CUPS
# configuration is used or touched.
#   bash scripts/demo-bridge.sh start URL   in the background: cupsd now; the bridge once URL answers /readyz
#   bash scripts/demo-bridge.sh stop        stops both (pid files under var/), removes cupsd's private folder
# Without scanimage, cupsd, the cups-filters PDF printer or pycups, it says so and the demo kiosk has neither
# (its screen says so too); `make system-deps` installs them.
set -uo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
VAR=var
PRINTS="$PWD/$VAR/prints"
RUN="$VAR/demo-bridge"
PPD=/usr/share/ppd/cupsfilters/Generic-PDF_Printer-PDF.ppd
CUPS_PID="$RUN/cupsd.pid"
BRIDGE_PID="$RUN/bridge.pid"
CUPS_DIR_FILE="$RUN/cups-dir"
QUEUE=Borne

missing() {
  local tools=()
  for tool in scanimage cupsd lpadmin lpstat; do command -v "$tool" >/dev/null || tools+=("$tool"); done
  [ -f "$PPD" ] || tools+=("cups-filters")
  "$BIN/python" -c "import cups" 2>/dev/null || tools+=("pycups")
  echo "${tools[*]}"
}

stop_pid() {
  local file="$1"
  [ -f "$file" ] || return 0
  local pid
  pid="$(cat "$file")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$file"
}

stop() {
  stop_pid "$BRIDGE_PID"
  stop_pid "$CUPS_PID"
  if [ -f "$CUPS_DIR_FILE" ]; then
    rm -rf "$(cat "$CUPS_DIR_FILE")"
    rm -f "$CUPS_DIR_FILE"
  fi
}

start_cupsd() {
  # Filters run as lp: the scheduler's folder must be reachable by it, hence /tmp and mode 0755.
  local dir
  dir="$(mktemp -d /tmp/visiorelais-demo-cups-XXXXXX)"
  chmod 0755 "$dir"
  echo "$dir" >"$CUPS_DIR_FILE"
  mkdir -p "$dir"/{spool,cache,state,log,temp,serverbin/backend}
  for sub in /usr/lib/cups/*/; do
    name="$(basename "$sub")"
    [ "$name" = backend ] || ln -s "$sub" "$dir/serverbin/$name"
  done
  cat >"$dir/serverbin/backend/pdfout" <<'EOF'
#!/bin/sh
# Writes each job (PDF, from the generic PDF printer's filters) to the folder of the device URI pdfout:<folder>.
if [ $# -eq 0 ]; then echo 'file pdfout "Unknown" "Visio-relais demo PDF printer"'; exit 0; fi
folder="${DEVICE_URI#pdfout:}"
name="$folder/impression-$(date +%Y%m%d-%H%M%S)-job-$1.pdf"
if [ $# -ge 6 ]; then cat "$6" > "$name.part" || exit 1; else cat > "$name.part" || exit 1; fi
mv "$name.part" "$name"
EOF
  chmod 0700 "$dir/serverbin/backend/pdfout"  # a 0700 backend runs as root: it may write var/prints
  cat >"$dir/cups-files.conf" <<EOF
ServerRoot $dir
ServerBin $dir/serverbin
DataDir /usr/share/cups
RequestRoot $dir/spool
TempDir $dir/temp
CacheDir $dir/cache
StateDir $dir/state
AccessLog $dir/log/access_log
ErrorLog $dir/log/error_log
PageLog $dir/log/page_log
Printcap
User lp
Group lp
SystemGroup root
EOF
  cat >"$dir/cupsd.conf" <<EOF
Listen $dir/socket
LogLevel warn
Browsing No
BrowseLocalProtocols none
DefaultAuthType None
WebInterface No
PreserveJobFiles No
PreserveJobHistory No
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order allow,deny
    Allow all
  </Limit>
</Policy>
EOF
  cupsd -f -c "$dir/cupsd.conf" -s "$dir/cups-files.conf" </dev/null >>"$RUN/cupsd.log" 2>&1 &
  echo $! >"$CUPS_PID"
  export CUPS_SERVER="$dir/socket"
  for _ in $(seq 1 100); do
    lpstat -r 2>/dev/null | grep -q "is running" && break
    sleep 0.1
  done
  lpadmin -p "$QUEUE" -E -v "pdfout:$PRINTS" -P "$PPD" -o PageSize=A4 >>"$RUN/cupsd.log" 2>&1
}

run_bridge() {
  local url="$1" dir="$2"
  # The bridge enrols once the server answers (make demo starts it just after this script).
  for _ in $(seq 1 600); do
    curl -fsS -o /dev/null --noproxy '*' "$url/readyz" 2>/dev/null && break
    sleep 0.2
  done
  local code
  code="$(DEBUG=1 "$BIN/visiorelais" enrolment-code BRN-COUT-01 --ttl-minutes 10 | sed -n "s/.* : \([A-Z0-9-]*\) (valable.*/\1/p")"
  mkdir -p "$RUN/sane"
  echo test >"$RUN/sane/dll.conf"
  { grep -vE '^(geometry_max|br_x|br_y) ' /etc/sane.d/test.conf 2>/dev/null; printf 'geometry_max 300.0\nbr_x 210.0\nbr_y 297.0\n'; } >"$RUN/sane/test.conf"
  export SANE_CONFIG_DIR="$PWD/$RUN/sane" CUPS_SERVER="$dir/socket" VISIORELAIS_DATA_DIR="$PWD/$RUN/data"
  "$BIN/visiorelais" bridge --server "$url" --token-file "$RUN/token" --enrol "$code" >>"$RUN/bridge.log" 2>&1
  exec "$BIN/visiorelais" bridge --server "$url" --token-file "$RUN/token" --scanner test --max-pages 3 \
    --printer "$QUEUE" --workdir "$PWD/$RUN/work" >>"$RUN/bridge.log" 2>&1
}

start() {
  local url="${1:-http://127.0.0.1:8000}"
  stop
  # The bridge's extra (pycups) builds against Debian's libcups2-dev: installed here when that is present.
  if ! "$BIN/python" -c "import cups" 2>/dev/null && dpkg-query -W -f='${Status}' libcups2-dev 2>/dev/null \
    | grep -q "install ok installed"; then
    "$BIN/pip" install --quiet -e '.[bridge]' >/dev/null 2>&1 || true
  fi
  local lacking
  lacking="$(missing)"
  if [ -n "$lacking" ]; then
    echo "Démo : la borne BRN-COUT-01 n'a ni scanner ni imprimante (manque : $lacking ; installez-les avec make system-deps, puis relancez make demo)."
    echo "Son écran le dit pendant l'appel ; elle propose de photographier un document."
    return 0
  fi
  mkdir -p "$RUN" "$PRINTS"
  start_cupsd
  run_bridge "$url" "$(cat "$CUPS_DIR_FILE")" &
  echo $! >"$BRIDGE_PID"
  echo "Démo : la borne BRN-COUT-01 a un scanner (SANE test, 3 pages) et une imprimante : les impressions arrivent dans $VAR/prints/."
  echo "       Journal du boîtier : $RUN/bridge.log"
}

case "${1:-}" in
  start) start "${2:-}" ;;
  stop) stop ;;
  *) echo "usage: $0 start [URL] | stop" >&2; exit 2 ;;
esac

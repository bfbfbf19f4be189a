#!/usr/bin/env bash
# Installs and starts what the test suite needs from Debian, on a fresh machine or this one. Idempotent.
# Runs as root (CI and the development machines are root); uses sudo otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
# PostgreSQL for the second run of the suite; Chromium (Playwright drives Debian's build, never a downloaded one),
# coturn, iproute2 and util-linux (unshare) for the browser suite, which runs in a private network namespace;
# fonts so that headless Chromium renders text (axe-core measures contrast on it).
PACKAGES=(postgresql postgresql-client chromium coturn iproute2 util-linux fonts-dejavu-core redis-server)
# The kiosk bridge's tests: SANE's test scanner (sane-utils), a private cupsd with cups-filters' generic PDF printer,
# libcups2-dev to build pycups, poppler-utils (pdfinfo) to count printed pages.
PACKAGES+=(sane-utils cups cups-client cups-filters libcups2-dev poppler-utils)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${missing[*]}"
  # Daemons that cups-filters and sane-utils recommend: stopped below only if this run installs them.
  daemons_before=$(dpkg-query -W -f='${Package} ${Status}\n' avahi-daemon ipp-usb cups-browsed 2>/dev/null \
    | awk '/ installed$/ {print $1}' || true)
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
  # coturn was installed just now, for the tests only (they start their own turnserver, inside a private
  # network namespace): keep the system service from running on machines where systemd would start it.
  if [[ " ${missing[*]} " == *" coturn "* ]] && [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now coturn >/dev/null 2>&1 || true
  fi
  # Likewise the print and scan services (the bridge's tests run a private cupsd and SANE's test backend), and
  # the network discovery that cups-filters and sane-utils pull in: nothing of them may listen or browse.
  if [[ " ${missing[*]} " == *" cups "* || " ${missing[*]} " == *" sane-utils "* ]]; then
    for unit in cups.socket cups.path cups cups-browsed saned.socket avahi-daemon.socket avahi-daemon ipp-usb; do
      grep -qx "${unit%.*}" <<<"$daemons_before" && continue
      if [ -d /run/systemd/system ]; then
        $SUDO systemctl disable --now "$unit" >/dev/null 2>&1 || true
      elif [ -x "/etc/init.d/${unit%.*}" ]; then
        $SUDO service "${unit%.*}" stop >/dev/null 2>&1 || true
        $SUDO update-rc.d "${unit%.*}" disable >/dev/null 2>&1 || true
      fi
    done
  fi
fi

# PostgreSQL on 127.0.0.1:5432: start the machine's cluster if it is down.
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$version" ]; then
    echo "== starting PostgreSQL $version"
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
fi

# Without systemd, Debian's init script starts coturn only if TURNSERVER_ENABLED=1 in /etc/default/coturn
# (commented out as shipped). Say so if someone enabled it: the browser suite does not use it.
if grep -qs '^TURNSERVER_ENABLED=1' /etc/default/coturn; then
  echo "note: the system coturn service is enabled; the browser suite does not use it (it runs its own)"
fi

#!/usr/bin/env bash
# Installs what usersync's tests need on a Debian machine: OpenLDAP's slapd
# and client tools (and, from the scripts beside this one, Samba AD, Chromium
# and PostgreSQL). Idempotent and quiet; exits non-zero when something cannot
# be installed, so CI fails instead of skipping tests.
set -euo pipefail

need=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for p in slapd ldap-utils; do have "$p" || need+=("$p"); done

if ((${#need[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "ci/install.sh: missing ${need[*]}; run as root or: sudo apt-get install ${need[*]}" >&2
    exit 1
  fi
  # Keep Debian from starting the system's own daemons: tests run their own
  # throwaway servers and the system ones would hold the ports.
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# The system slapd must not run (it would hold port 389 that Samba test DCs use).
if pgrep -x slapd >/dev/null && [ -f /var/run/slapd/slapd.pid ]; then
  kill "$(cat /var/run/slapd/slapd.pid)" 2>/dev/null || true
fi

dir=$(dirname "$0")
for extra in "$dir"/install-*.sh; do
  [ -e "$extra" ] || continue
  bash "$extra"
done

#!/usr/bin/env bash
# install-samba.sh installs the Debian packages the Samba AD DC test harness
# (internal/testdir/samba) needs, and makes sure no system Samba service keeps
# running: the harness starts its own throwaway DCs on 127.0.0.N and the
# system daemons would otherwise hold ports 389/445/88 on every address.
#
# Idempotent and quiet: apt-get update runs only when a package is missing.
# Exits non-zero on any failure.
set -euo pipefail

# samba-ad-provision is only a Recommends of samba-ad-dc: without it (apt
# --no-install-recommends) provisioning fails for lack of /usr/share/samba/setup.
# ldb-tools gives ldbadd/ldbsearch for offline work on sam.ldb.
packages=(samba samba-ad-dc samba-ad-provision winbind krb5-user ldap-utils ldb-tools openssl)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if ((${#missing[@]} > 0)); then
	if [[ $(id -u) -ne 0 ]]; then
		echo "install-samba.sh: missing packages (${missing[*]}) and not root" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	log=$(mktemp)
	trap 'rm -f "$log"' EXIT
	if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
		cat "$log" >&2
		echo "install-samba.sh: apt-get install ${missing[*]} failed" >&2
		exit 1
	fi
fi

# Installing samba starts (or enables) the system daemons. Stop and disable
# them so that they never listen on 389, 445, 88 or anywhere else.
services=(samba-ad-dc samba smbd nmbd winbind)
if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
	for s in "${services[@]}"; do
		systemctl stop "$s" >/dev/null 2>&1 || true
		systemctl disable "$s" >/dev/null 2>&1 || true
		systemctl mask "$s" >/dev/null 2>&1 || true
	done
else
	# No systemd (containers): use the init scripts, then kill any survivor
	# by pid file. Never kill by name: other processes may be ours.
	for s in "${services[@]}"; do
		if [[ -x /etc/init.d/$s ]]; then
			/etc/init.d/"$s" stop >/dev/null 2>&1 || true
		fi
		if command -v update-rc.d >/dev/null 2>&1; then
			update-rc.d -f "$s" remove >/dev/null 2>&1 || true
		fi
	done
	for pidfile in /run/samba/samba.pid /run/samba/smbd.pid /run/samba/nmbd.pid /run/samba/winbindd.pid; do
		if [[ -s $pidfile ]]; then
			kill "$(cat "$pidfile")" >/dev/null 2>&1 || true
		fi
	done
fi

for cmd in samba samba-tool ldbadd ldapsearch openssl; do
	if ! command -v "$cmd" >/dev/null 2>&1; then
		echo "install-samba.sh: $cmd not found after install" >&2
		exit 1
	fi
done

#!/usr/bin/env bash
# install-postgres.sh installs the PostgreSQL server binaries for the
# PostgreSQL store's tests (internal/store/postgres, through the harness in
# internal/testdir/postgres, which runs initdb and pg_ctl itself on a
# throwaway cluster listening on 127.0.0.1 only).
#
# Idempotent and quiet: apt-get runs only when no /usr/lib/postgresql/*/bin/initdb
# exists. Debian's package creates and starts a system cluster; it is stopped
# and set to manual start, so that none is ever left listening.
# Exits non-zero on any failure.
set -euo pipefail

have_initdb() { compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; }

if ! have_initdb; then
	if [[ $(id -u) -ne 0 ]]; then
		echo "install-postgres.sh: PostgreSQL is missing and not root; run: sudo apt-get install --no-install-recommends postgresql" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	log=$(mktemp)
	# Keep invoke-rc.d from starting the system cluster during the install
	# (unless a policy is in place already, as ci/install.sh may have set).
	policy=""
	if [[ ! -e /usr/sbin/policy-rc.d ]]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
		policy=/usr/sbin/policy-rc.d
	fi
	trap 'rm -f "$log" $policy' EXIT
	if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql; } >"$log" 2>&1; then
		cat "$log" >&2
		echo "install-postgres.sh: apt-get install postgresql failed" >&2
		exit 1
	fi
fi

# Stop every system cluster (policy-rc.d does not cover one started some
# other way) and make it start only by hand. Only the clusters Debian's
# postgresql-common knows are touched: never the tests' own.
if command -v pg_lsclusters >/dev/null 2>&1; then
	while read -r ver name _; do
		[[ -n $ver && -n $name ]] || continue
		pg_ctlcluster "$ver" "$name" stop >/dev/null 2>&1 || true
		if [[ -f /etc/postgresql/$ver/$name/start.conf ]]; then
			echo manual >"/etc/postgresql/$ver/$name/start.conf"
		fi
	done < <(pg_lsclusters --no-header 2>/dev/null || true)
fi
if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
	systemctl stop postgresql >/dev/null 2>&1 || true
	systemctl disable postgresql >/dev/null 2>&1 || true
elif [[ -x /etc/init.d/postgresql ]]; then
	service postgresql stop >/dev/null 2>&1 || true
	if command -v update-rc.d >/dev/null 2>&1; then
		update-rc.d postgresql disable >/dev/null 2>&1 || true
	fi
fi

if ! have_initdb; then
	echo "install-postgres.sh: /usr/lib/postgresql/*/bin/initdb not found after install" >&2
	exit 1
fi
if command -v pg_lsclusters >/dev/null 2>&1 && pg_lsclusters --no-header 2>/dev/null | grep -qw online; then
	echo "install-postgres.sh: a system PostgreSQL cluster is still running" >&2
	exit 1
fi

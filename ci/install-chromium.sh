#!/usr/bin/env bash
# install-chromium.sh installs Debian's chromium for the browser tests of the
# admin UI (internal/web, driven headless through chromedp). Nothing else
# downloads a browser: the tests use /usr/bin/chromium only.
#
# Idempotent and quiet: apt-get runs only when the package is missing.
# Installs no recommended packages and stops no services.
# Exits non-zero on any failure.
set -euo pipefail

if ! dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q 'install ok installed'; then
	if [[ $(id -u) -ne 0 ]]; then
		echo "install-chromium.sh: chromium is missing and not root; run: sudo apt-get install --no-install-recommends chromium" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	log=$(mktemp)
	trap 'rm -f "$log"' EXIT
	if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium; } >"$log" 2>&1; then
		cat "$log" >&2
		echo "install-chromium.sh: apt-get install chromium failed" >&2
		exit 1
	fi
fi

if [[ ! -x /usr/bin/chromium ]]; then
	echo "install-chromium.sh: /usr/bin/chromium not found after install" >&2
	exit 1
fi

#!/usr/bin/env bash
# install-newman.sh installs Node.js (Debian's nodejs and npm) and the newman
# runner from npm, which runs Microsoft's SCIM test collection against
# `usersync serve` in acceptance/scim_newman_test.go.
#
# Idempotent and quiet: apt-get runs only when node or npm is missing, and
# npm only when no newman 6 is on the PATH. Exits non-zero on any failure.
set -euo pipefail

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	if [[ $(id -u) -ne 0 ]]; then
		echo "install-newman.sh: node or npm is missing and not root; run: sudo apt-get install --no-install-recommends nodejs npm" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	log=$(mktemp)
	trap 'rm -f "$log"' EXIT
	if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends nodejs npm; } >"$log" 2>&1; then
		cat "$log" >&2
		echo "install-newman.sh: apt-get install nodejs npm failed" >&2
		exit 1
	fi
fi

if ! command -v newman >/dev/null || [[ $(newman --version) != 6.* ]]; then
	if [[ $(id -u) -ne 0 ]]; then
		# Without root, npm installs into ~/.local; CI must put ~/.local/bin on the PATH.
		npm install -g --prefix "$HOME/.local" --no-fund --no-audit --loglevel=error newman@6 >/dev/null
	else
		npm install -g --no-fund --no-audit --loglevel=error newman@6 >/dev/null
	fi
fi

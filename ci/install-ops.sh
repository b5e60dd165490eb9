#!/usr/bin/env bash
# install-ops.sh installs what the operations tests need: systemd-analyze
# (Debian package "systemd"), which checks dist/usersync.service. The tests
# only read the unit file; nothing is started. Idempotent and quiet; exits
# non-zero when the tool cannot be installed, so the test fails in CI
# rather than skipping.
set -euo pipefail

if command -v systemd-analyze >/dev/null; then
	exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
	echo "install-ops.sh: systemd-analyze is missing and not root; run: sudo apt-get install --no-install-recommends systemd" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends systemd >/dev/null
command -v systemd-analyze >/dev/null

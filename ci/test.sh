#!/usr/bin/env bash
# The test command: installs the real directories the tests talk to, then
# runs every Go test with them required (a missing server fails, never skips).
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install.sh
export USERSYNC_INTEGRATION=1
# ci/install-newman.sh puts newman in ~/.local/bin when it is not root.
export PATH="$HOME/.local/bin:$PATH"
# Two cores: run two packages at a time, and fail on data races.
go vet ./...
# Static analysis with a pinned staticcheck (2026.2.2); any finding fails.
staticcheck_version=v0.8.2
GOBIN="$(go env GOPATH)/bin" go install "honnef.co/go/tools/cmd/staticcheck@${staticcheck_version}"
"$(go env GOPATH)/bin/staticcheck" ./...
go test -race -p 2 -timeout 30m ./... "$@"
# The release binaries (linux, darwin, windows) build on every run.
bash ci/release.sh
# Every parser of outside input is fuzzed briefly on every run.
bash ci/fuzz.sh

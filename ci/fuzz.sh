#!/usr/bin/env bash
# Runs every fuzz target in the module for a short time each (FUZZTIME,
# default 5s), so that a parser of outside input that panics or breaks its
# own contract on new input fails the test command. A longer run, for a
# release or after changing a parser:
#   FUZZTIME=10m bash ci/fuzz.sh            # every target
#   go test -run '^$' -fuzz '^FuzzParse$' -fuzztime 1h ./internal/connection
# New crashers are written to testdata/fuzz/ in the target's package:
# commit them, they become regression tests that go test runs every time.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-5s}
n=0
while IFS= read -r line; do
  file=${line%%:*}
  name=$(sed -E 's/^[^:]*:func (Fuzz[A-Za-z0-9_]*).*/\1/' <<<"$line")
  pkg=$(dirname "$file")
  echo "fuzz: $pkg $name ($fuzztime)"
  go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -parallel 2 "$pkg" >/tmp/usersync-fuzz.log 2>&1 || {
    cat /tmp/usersync-fuzz.log
    echo "fuzz: $pkg $name failed" >&2
    exit 1
  }
  n=$((n + 1))
done < <(grep -r --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' . | sort)
echo "fuzz: $n targets ran for $fuzztime each, no failure"

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
  # Go's fuzzing engine sometimes ends a run with "context deadline
  # exceeded" and no failing input, when the time runs out while a worker
  # is still minimising a new interesting input. That says nothing about
  # the code, so such a run is tried once more; a failing input (written to
  # testdata/fuzz/) always fails.
  for try in 1 2; do
    if go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -parallel 2 "$pkg" >/tmp/usersync-fuzz.log 2>&1; then
      break
    fi
    if [ "$try" = 1 ] && grep -q 'context deadline exceeded' /tmp/usersync-fuzz.log && ! grep -q 'Failing input written to' /tmp/usersync-fuzz.log; then
      echo "fuzz: $pkg $name: the engine timed out without a failing input; once more"
      continue
    fi
    cat /tmp/usersync-fuzz.log
    echo "fuzz: $pkg $name failed" >&2
    exit 1
  done
  n=$((n + 1))
done < <(grep -r --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' . | sort)
echo "fuzz: $n targets ran for $fuzztime each, no failure"

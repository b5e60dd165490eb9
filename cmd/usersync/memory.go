package main

import (
	"os"
	"runtime/debug"
)

// defaultMemoryLimit is the soft limit usersync puts on the Go heap unless
// GOMEMLIMIT says otherwise. A run keeps an index of about 116 bytes per
// stored user; with the default GOGC the heap may grow to twice what is
// live before the collector runs, so a million-user re-sync peaked above
// 300 MB. Below the limit nothing changes (a 100,000-user run stays well
// under it); near it the collector works harder instead of letting the heap
// double, within the runtime's cap on GC CPU, so a directory whose index
// alone exceeds the limit is slowed, never failed.
const defaultMemoryLimit = 160 << 20

func setMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}

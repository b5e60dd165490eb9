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

// defaultGCPercent is the collector's target unless GOGC says otherwise:
// the heap may grow by half of what is live, not by all of it. A sync
// allocates several times its live heap (decoded entries, batches on their
// way to the store), so the peak is mostly the collector's headroom; at
// 100,000 users with groups a full sync peaked at 140 MB with Go's default
// of 100 and at 112 MB with 50, for a few percent more CPU, which a run
// spends almost all in the store and the directory anyway.
const defaultGCPercent = 50

// setMemoryLimit applies usersync's memory defaults where the environment
// sets none of its own.
func setMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
}

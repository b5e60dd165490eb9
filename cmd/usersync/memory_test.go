package main

import (
	"math"
	"runtime/debug"
	"testing"
)

// usersync's memory defaults apply only where the environment sets none:
// an operator's GOGC or GOMEMLIMIT is left alone.
func TestMemoryDefaults(t *testing.T) {
	restoreGC := debug.SetGCPercent(100)
	restoreLimit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() {
		debug.SetGCPercent(restoreGC)
		debug.SetMemoryLimit(restoreLimit)
	})
	tests := []struct {
		name, gogc, limit string
		wantGC            int
		wantLimit         int64
	}{
		{"nothing set", "", "", defaultGCPercent, defaultMemoryLimit},
		{"GOGC set", "200", "", 100, defaultMemoryLimit},
		{"GOMEMLIMIT set", "", "1GiB", defaultGCPercent, math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			debug.SetGCPercent(100)
			debug.SetMemoryLimit(math.MaxInt64)
			t.Setenv("GOGC", tt.gogc)
			t.Setenv("GOMEMLIMIT", tt.limit)
			setMemoryLimit()
			if got := debug.SetGCPercent(100); got != tt.wantGC {
				t.Errorf("GC percent %d, want %d", got, tt.wantGC)
			}
			if got := debug.SetMemoryLimit(-1); got != tt.wantLimit {
				t.Errorf("memory limit %d, want %d", got, tt.wantLimit)
			}
		})
	}
}

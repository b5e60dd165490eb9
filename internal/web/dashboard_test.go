package web

import (
	"slices"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// TestLatestWarned: the dashboard lists each connection's latest finished
// run when it has a warning to act on, and forgets it once a later run of
// that connection is clean.
func TestLatestWarned(t *testing.T) {
	now := time.Now()
	run := func(id int64, conn, status string, warnings ...string) store.Run {
		return store.Run{ID: id, Connection: conn, Status: status, StartedAt: now, Warnings: warnings}
	}
	const nobody = "no entry was linked: none of the 3 entries read matches a usersync user"
	runs := []store.Run{ // newest first
		run(9, "rp", store.RunRunning),
		run(8, "rp", store.RunSucceeded, nobody),
		run(7, "src", store.RunSucceeded, "full run requested"),
		run(6, "fixed", store.RunSucceeded),
		run(5, "fixed", store.RunSucceeded, nobody),
		run(4, "src", store.RunSucceeded, "full run: the filter changed", `userId "a" is shared by 2 active users`),
		run(3, "held", store.RunSucceeded, "3 deactivations and 0 deletions approved at 2026-01-01T00:00:00Z"),
	}
	var got []int64
	for _, r := range latestWarned(runs) {
		got = append(got, r.ID)
	}
	if want := []int64{8}; !slices.Equal(got, want) {
		t.Fatalf("runs shown %v, want %v", got, want)
	}
}

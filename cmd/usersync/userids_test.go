package main

import (
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/store"
)

// TestUniqueUserIDsAD: each user must have a unique userId. The same
// Samba AD DC under a second connection gives no second user for any UPN:
// every entry fails naming the holder of the first connection, the run
// warns (a bounded number of times) and still succeeds, and the next run is
// full so that the refused entries are tried again.
func TestUniqueUserIDsAD(t *testing.T) {
	dc, c := startAD(t, nil)
	first := c.mustSync("ad")
	if first.Created == 0 || first.Failed != 0 {
		t.Fatalf("first connection: %+v", first.Counts)
	}
	c.apply(adDoc(dc, map[string]any{"name": "ad2"}))
	rep := c.mustSync("ad2")
	if rep.Created != 0 || rep.Failed != first.Created || rep.Status != store.RunSucceeded {
		t.Fatalf("second connection to the same DC: %+v (%s); want %d failed, none created", rep.Counts, rep.Status, first.Created)
	}
	out := c.outcomes(rep.ID, "failed")
	if !strings.Contains(out, `userId \"user00001@example.test\" is already held by user \"user00001@example.test\" of connection \"ad\"`) {
		t.Fatalf("failed outcomes do not name the holder:\n%.2000s", out)
	}
	if n := len(rep.Warnings); n == 0 || n > 25 {
		t.Fatalf("%d run warnings, want some and a bounded number", n)
	}
	// An incremental run would never read the refused entries again: the
	// next run is full and refuses them again, until their userIds are free.
	again := c.mustSync("ad2")
	if again.Mode != store.ModeFull || again.Created != 0 || again.Failed != first.Created {
		t.Fatalf("second run of ad2 (%s): %+v; want a full run refusing them again", again.Mode, again.Counts)
	}
	if users := c.users(); len(users) != first.Created {
		t.Fatalf("%d users in the store, want %d", len(users), first.Created)
	}
}

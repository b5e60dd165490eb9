package reconcile_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/store"
)

func failedReasons(t *testing.T, h *harness, run int64) map[string]string {
	t.Helper()
	outs, err := h.st.ListOutcomes(context.Background(), run, store.OutcomeQuery{Action: store.ActionFailed})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, o := range outs {
		got[o.UserID] = o.Reason
	}
	return got
}

// TestUserIDTakenAcrossBatches: an entry far down the directory whose uid
// an earlier entry of the same run already took is refused even though the
// earlier batch may not be written yet.
func TestUserIDTakenAcrossBatches(t *testing.T) {
	h := newHarness(t)
	entries := people(2500)
	entries[2299].Attrs["uid"] = []string{"U5"} // person 2300 claims person 5's uid
	for _, dry := range []bool{true, false} {
		rep, err := h.run(context.Background(), &fakeDir{entries: entries}, dry)
		if err != nil || rep.Created != 2499 || rep.Failed != 1 {
			t.Fatalf("dry %v: %+v, %v; want 2499 created, 1 failed", dry, rep.Counts, err)
		}
		if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], `userId "U5" is already held by user "u5" of connection "corp"`) {
			t.Fatalf("dry %v: warnings %q", dry, rep.Warnings)
		}
	}
	if n := h.active(); n != 2499 {
		t.Fatalf("%d active users, want 2499", n)
	}
}

// TestActivationRefusedWhileUserIDHeld: a user who left and whose userId a
// new entry took cannot come back while the newcomer holds it; once the
// newcomer leaves, it can.
func TestActivationRefusedWhileUserIDHeld(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	one, two := person(1), person(2)
	if _, err := h.run(ctx, &fakeDir{entries: []*directory.Entry{one, two}}, false); err != nil {
		t.Fatal(err)
	}
	if rep, err := h.run(ctx, &fakeDir{entries: []*directory.Entry{two}}, false); err != nil || rep.Deactivated != 1 {
		t.Fatalf("u1 leaves: %+v, %v", rep.Counts, err)
	}
	newcomer := person(3, "uid", "U1")
	if rep, err := h.run(ctx, &fakeDir{entries: []*directory.Entry{two, newcomer}}, false); err != nil || rep.Created != 1 {
		t.Fatalf("newcomer takes u1's userId: %+v, %v", rep.Counts, err)
	}
	rep, err := h.run(ctx, &fakeDir{entries: []*directory.Entry{one, two, newcomer}}, false)
	if err != nil || rep.Updated != 0 || rep.Failed != 1 || rep.Status != store.RunSucceeded {
		t.Fatalf("u1 returns while U1 holds its userId: %+v (%s), %v; want 1 failed", rep.Counts, rep.Status, err)
	}
	if r := failedReasons(t, h, rep.ID)["u1"]; !strings.Contains(r, `userId "u1" is already held by user "U1"`) {
		t.Fatalf("u1's outcome: %q", r)
	}
	if n := h.active(); n != 2 {
		t.Fatalf("%d active users, want 2 (u2 and U1)", n)
	}
	// The newcomer leaves in the run u1 returns: in one batch users leave
	// before others arrive, so u1 takes its userId back at once.
	rep, err = h.run(ctx, &fakeDir{entries: []*directory.Entry{one, two}}, false)
	if err != nil || rep.Deactivated != 1 || rep.Updated != 1 || rep.Failed != 0 {
		t.Fatalf("newcomer leaves as u1 returns: %+v, %v; want 1 deactivated, 1 updated", rep.Counts, err)
	}
	us, err := h.st.FindActiveUsers(ctx, []string{"u1"})
	if err != nil || len(us) != 1 || us[0].UserID != "u1" {
		t.Fatalf("active holder of u1 = %+v, %v; want the returning u1", us, err)
	}
}

// A user refused for a userId that another user took earlier in the same
// run is told who took it: that user's userId as it was given (not its
// lower-cased key) and which user it is, a new one by its external id, a
// returning one by its row.
func TestUserIDClaimNamesItsHolder(t *testing.T) {
	ctx := context.Background()
	t.Run("created by this run", func(t *testing.T) {
		h := newHarness(t)
		entries := people(2500)
		entries[4].Attrs["uid"] = []string{"Mixed.U5"}
		entries[2299].Attrs["uid"] = []string{"mixed.u5"}
		rep, err := h.run(ctx, &fakeDir{entries: entries}, false)
		if err != nil || rep.Created != 2499 || rep.Failed != 1 {
			t.Fatalf("%+v, %v; want 2499 created, 1 failed", rep.Counts, err)
		}
		want := `userId "mixed.u5" is already held by user "Mixed.U5" of connection "corp" (uuid-5, created by this run)`
		if r := failedReasons(t, h, rep.ID)["mixed.u5"]; !strings.Contains(r, want) {
			t.Fatalf("reason %q, want it to contain %q", r, want)
		}
	})
	t.Run("activated by this run", func(t *testing.T) {
		h := newHarness(t)
		one, two := person(1), person(2)
		if _, err := h.run(ctx, &fakeDir{entries: []*directory.Entry{one, two}}, false); err != nil {
			t.Fatal(err)
		}
		if rep, err := h.run(ctx, &fakeDir{entries: []*directory.Entry{two}}, false); err != nil || rep.Deactivated != 1 {
			t.Fatalf("u1 leaves: %+v, %v", rep.Counts, err)
		}
		var row int64
		us, err := h.st.ListUsers(ctx, store.UserQuery{})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range us {
			if u.ExternalID == "uuid-1" {
				row = u.ID
			}
		}
		// The newcomer comes first in the directory; the returning user
		// still keeps its userId.
		newcomer := person(3, "uid", "U1")
		rep, err := h.run(ctx, &fakeDir{entries: []*directory.Entry{newcomer, two, one}}, false)
		if err != nil || rep.Failed != 1 {
			t.Fatalf("u1 returns beside a newcomer: %+v, %v", rep.Counts, err)
		}
		want := fmt.Sprintf(`userId "U1" is already held by user "u1" of connection "corp" (row %d, activated by this run)`, row)
		if r := failedReasons(t, h, rep.ID)["U1"]; !strings.Contains(r, want) {
			t.Fatalf("reason %q, want it to contain %q", r, want)
		}
	})
}

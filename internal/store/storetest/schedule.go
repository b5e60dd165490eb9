package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/store"
)

func testLeases(t *testing.T, s store.Store) {
	ctx := context.Background()
	if _, err := s.AcquireLease(ctx, "corp", "a", time.Minute); err != nil {
		t.Fatalf("first acquire: %v", err)
	}
	if _, err := s.AcquireLease(ctx, "corp", "a", time.Minute); err != nil {
		t.Fatalf("re-acquire by the holder: %v", err)
	}
	_, err := s.AcquireLease(ctx, "corp", "b", time.Minute)
	var held *store.LeaseHeldError
	if !errors.As(err, &held) || !errors.Is(err, store.ErrLeaseHeld) || held.Lease.Holder != "a" || !strings.Contains(err.Error(), "by a") {
		t.Fatalf("acquire of a held lease = %v, want a LeaseHeldError naming a", err)
	}
	if _, err := s.AcquireLease(ctx, "other", "b", time.Minute); err != nil {
		t.Fatalf("leases are per connection: %v", err)
	}
	if err := s.RenewLease(ctx, "corp", "b", time.Minute); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("renew by a non-holder = %v, want ErrLeaseLost", err)
	}
	if err := s.RenewLease(ctx, "corp", "a", time.Millisecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	// Expired: taken over, and the old holder learns it lost the lease.
	if _, err := s.AcquireLease(ctx, "corp", "b", time.Minute); err != nil {
		t.Fatalf("take over an expired lease: %v", err)
	}
	if err := s.RenewLease(ctx, "corp", "a", time.Minute); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("renew after take-over = %v, want ErrLeaseLost", err)
	}
	if l, err := s.GetLease(ctx, "corp"); err != nil || l.Holder != "b" {
		t.Fatalf("GetLease = %+v, %v", l, err)
	}
	if err := s.ReleaseLease(ctx, "corp", "a"); err != nil {
		t.Fatal(err)
	}
	if l, _ := s.GetLease(ctx, "corp"); l.Holder != "b" {
		t.Fatal("a non-holder released the lease")
	}
	if err := s.ReleaseLease(ctx, "corp", "b"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetLease(ctx, "corp"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetLease after release = %v", err)
	}
}

func testOrphanedRuns(t *testing.T, s store.Store) {
	ctx := context.Background()
	live := newRun(t, s, "live")
	dead := newRun(t, s, "dead")
	if _, err := s.AcquireLease(ctx, "live", "other-instance", time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AcquireLease(ctx, "dead", "crashed", time.Millisecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	n, err := s.FailOrphanedRuns(ctx, "", "", "interrupted")
	if err != nil || n != 1 {
		t.Fatalf("FailOrphanedRuns = %d, %v; want 1 (only the expired one)", n, err)
	}
	if r, _ := s.GetRun(ctx, live); r.Status != store.RunRunning {
		t.Fatalf("a run under a live lease was failed: %+v", r)
	}
	if r, _ := s.GetRun(ctx, dead); r.Status != store.RunFailed || r.Error != "interrupted" || r.FinishedAt == nil {
		t.Fatalf("orphaned run = %+v", r)
	}
	// The lease holder itself may fail its connection's leftovers.
	if n, err := s.FailOrphanedRuns(ctx, "live", "other-instance", "x"); err != nil || n != 1 {
		t.Fatalf("holder's FailOrphanedRuns = %d, %v", n, err)
	}
}

func testSchedules(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.PutConnection(ctx, conn("corp"), ""); err != nil {
		t.Fatal(err)
	}
	st, err := s.GetScheduleState(ctx, "corp")
	if err != nil || st.Paused || st.LastFire != nil {
		t.Fatalf("fresh state = %+v, %v", st, err)
	}
	fire := time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC)
	if ok, err := s.ClaimFiring(ctx, "corp", fire); !ok || err != nil {
		t.Fatalf("first claim = %v, %v", ok, err)
	}
	if ok, _ := s.ClaimFiring(ctx, "corp", fire); ok {
		t.Fatal("the same firing was claimed twice")
	}
	if ok, _ := s.ClaimFiring(ctx, "corp", fire.Add(-time.Hour)); ok {
		t.Fatal("an older firing was claimed after a newer one")
	}
	if ok, _ := s.ClaimFiring(ctx, "corp", fire.Add(time.Minute)); !ok {
		t.Fatal("the next firing could not be claimed")
	}
	if err := s.SetPaused(ctx, "corp", true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetNextRun(ctx, "corp", fire.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	st, _ = s.GetScheduleState(ctx, "corp")
	if !st.Paused || st.LastFire == nil || !st.LastFire.Equal(fire.Add(time.Minute)) || st.NextRunAt == nil || !st.NextRunAt.Equal(fire.Add(time.Hour)) {
		t.Fatalf("state = %+v", st)
	}
	if ok, _, _ := s.TakeRunRequest(ctx, "corp"); ok {
		t.Fatal("a request was taken that nobody made")
	}
	if err := s.RequestRun(ctx, "corp", true); err != nil {
		t.Fatal(err)
	}
	if err := s.RequestRun(ctx, "corp", false); err != nil {
		t.Fatal(err)
	}
	if ok, full, err := s.TakeRunRequest(ctx, "corp"); !ok || !full || err != nil {
		t.Fatalf("TakeRunRequest = %v %v %v, want a full request", ok, full, err)
	}
	if ok, _, _ := s.TakeRunRequest(ctx, "corp"); ok {
		t.Fatal("a request was taken twice")
	}
	tok := "cookie"
	if err := s.Apply(ctx, store.Batch{Connection: "corp", Token: &tok}); err != nil {
		t.Fatal(err)
	}
	if err := s.ClearChangeToken(ctx, "corp"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ChangeToken(ctx, "corp"); got != "" {
		t.Fatalf("token after clear = %q", got)
	}
	if err := s.ClearChangeToken(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("ClearChangeToken(missing) = %v", err)
	}
}

func testHistory(t *testing.T, s store.Store) {
	ctx := context.Background()
	run := newRun(t, s, "corp")
	b := store.Batch{RunID: run, Connection: "corp",
		Creates: []store.User{{ExternalID: "e1", UserID: "Alice", Status: store.StatusActive}},
		Outcomes: []store.Outcome{
			{RunID: run, ExternalID: "e1", UserID: "Alice", Action: store.ActionCreated},
			{RunID: run, ExternalID: "e2", UserID: "bob", Action: store.ActionUpdated,
				Changes: []store.FieldChange{{Field: "userPassword", Old: "old-pw", New: "new-pw"}, {Field: "title", Old: "a", New: "b"}}},
		}}
	if err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindOutcomes(ctx, "", "alice", 10)
	if err != nil || len(got) != 1 || got[0].Action != store.ActionCreated {
		t.Fatalf("FindOutcomes(alice) = %+v, %v", got, err)
	}
	got, _ = s.FindOutcomes(ctx, "corp", "e2", 10)
	if len(got) != 1 || got[0].Changes[0].Old != store.Redacted || got[0].Changes[0].New != store.Redacted || got[0].Changes[1].New != "b" {
		t.Fatalf("secret field values reached the run history: %+v", got)
	}
	if got, _ := s.FindOutcomes(ctx, "other", "e2", 10); len(got) != 0 {
		t.Fatalf("FindOutcomes ignored the connection: %+v", got)
	}
	r, _ := s.GetRun(ctx, run)
	r.Status, r.DurationMs, r.Counts = store.RunSucceeded, 1500, store.Counts{EntriesRead: 7}
	if err := s.UpdateRun(ctx, r); err != nil {
		t.Fatal(err)
	}
	stats, err := s.RunStats(ctx)
	if err != nil || len(stats) != 1 || stats[0].Runs != 1 || stats[0].DurationMs != 1500 || stats[0].EntriesRead != 7 || stats[0].Status != store.RunSucceeded {
		t.Fatalf("RunStats = %+v, %v", stats, err)
	}
	counts, err := s.UserCounts(ctx)
	if err != nil || len(counts) != 1 || counts[0].Users != 1 || counts[0].Connection != "corp" {
		t.Fatalf("UserCounts = %+v, %v", counts, err)
	}
	running := newRun(t, s, "corp")
	n, err := s.PruneRuns(ctx, time.Now().Add(time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("PruneRuns = %d, %v", n, err)
	}
	if _, err := s.GetRun(ctx, running); err != nil {
		t.Fatal("a running run was pruned")
	}
	if got, _ := s.FindOutcomes(ctx, "", "alice", 10); len(got) != 0 {
		t.Fatalf("outcomes of a pruned run survived: %+v", got)
	}
}

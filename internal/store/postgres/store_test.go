package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/usersync/usersync/internal/store"
	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
)

// TestApplyLargeBatch copies a batch bigger than one COPY buffer and checks
// every user and outcome lands once, with its values; then deactivates half
// of them clearing a field, and deletes a few.
func TestApplyLargeBatch(t *testing.T) {
	ctx := context.Background()
	s := open(t, pgtest.URL(t))
	defer s.Close()
	run, err := s.CreateRun(ctx, store.Run{Connection: "c", Trigger: store.TriggerManual, Mode: store.ModeFull, Status: store.RunRunning})
	if err != nil {
		t.Fatal(err)
	}
	const n = 5000
	b := store.Batch{RunID: run, Connection: "c"}
	for i := range n {
		ext := fmt.Sprintf("ext-%d", i)
		b.Creates = append(b.Creates, store.User{ExternalID: ext, UserID: fmt.Sprintf("u%d", i), Status: store.StatusActive,
			Fields: map[string]string{"email": ext + "@example.com", "title": "t"}, Hash: uint64(i) << 40})
		b.Outcomes = append(b.Outcomes, store.Outcome{ExternalID: ext, UserID: fmt.Sprintf("u%d", i), Action: store.ActionCreated,
			Changes: []store.FieldChange{{Field: "password", New: "hunter2"}}, Warnings: []string{"w"}})
	}
	if err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	ids := map[int]int64{}
	err = s.ScanIndex(ctx, "c", func(e store.IndexEntry) error {
		var i int
		if _, err := fmt.Sscanf(e.ExternalID, "ext-%d", &i); err != nil {
			return err
		}
		if e.UserID != fmt.Sprintf("u%d", i) || e.Hash != uint64(i)<<40 || e.Status != store.StatusActive {
			t.Errorf("row %+v does not match user %d", e, i)
		}
		ids[i] = e.ID
		return nil
	})
	if err != nil || len(ids) != n {
		t.Fatalf("scanned %d users (%v), want %d", len(ids), err, n)
	}
	outs, err := s.ListOutcomes(ctx, run, store.OutcomeQuery{})
	if err != nil || len(outs) != n || outs[0].Changes[0].New != store.Redacted || len(outs[0].Warnings) != 1 {
		t.Fatalf("%d outcomes (%v), want %d with redacted changes", len(outs), err, n)
	}
	var deact, del []int64
	for i := range n / 2 {
		deact = append(deact, ids[i])
	}
	del = append(del, ids[n-1], ids[n-2])
	if err := s.Apply(ctx, store.Batch{RunID: run, Connection: "c", Deactivate: deact, ClearOnDeactivate: []string{"title"}, Delete: del}); err != nil {
		t.Fatal(err)
	}
	u, err := s.GetUser(ctx, ids[0])
	if err != nil || u.Status != store.StatusInactive || u.Fields["title"] != "" || u.Fields["email"] == "" {
		t.Fatalf("deactivated user = %+v, %v", u, err)
	}
	if _, err := s.GetUser(ctx, ids[n-1]); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted user: %v", err)
	}
	if err := s.SetUserField(ctx, ids[1], "title", "edited"); err != nil {
		t.Fatal(err)
	}
	if u, _ := s.GetUser(ctx, ids[1]); u.Fields["title"] != "edited" || u.Hash != 0 {
		t.Fatalf("edited user = %+v", u)
	}
}

package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// TestApplyChunkBoundaries checks the multi-row INSERTs around their chunk
// size: every user and outcome of a batch lands once, with its values.
func TestApplyChunkBoundaries(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{1, rowsPerInsert - 1, rowsPerInsert, rowsPerInsert + 1, 3*rowsPerInsert + 5} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			s, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			run, err := s.CreateRun(ctx, store.Run{Connection: "c", Trigger: store.TriggerManual, Mode: store.ModeFull, Status: store.RunRunning, StartedAt: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			b := store.Batch{RunID: run, Connection: "c"}
			for i := range n {
				ext := fmt.Sprintf("ext-%d", i)
				b.Creates = append(b.Creates, store.User{ExternalID: ext, UserID: fmt.Sprintf("u%d", i), Status: store.StatusActive,
					Fields: map[string]string{"email": ext + "@example.com"}, Hash: uint64(i) << 40})
				b.Outcomes = append(b.Outcomes, store.Outcome{ExternalID: ext, UserID: fmt.Sprintf("u%d", i), Action: store.ActionCreated})
			}
			if err := s.Apply(ctx, b); err != nil {
				t.Fatal(err)
			}
			seen := 0
			err = s.ScanIndex(ctx, "c", func(e store.IndexEntry) error {
				var i int
				if _, err := fmt.Sscanf(e.ExternalID, "ext-%d", &i); err != nil {
					return err
				}
				if e.UserID != fmt.Sprintf("u%d", i) || e.Hash != uint64(i)<<40 || e.Status != store.StatusActive {
					t.Errorf("row %+v does not match user %d", e, i)
				}
				seen++
				return nil
			})
			if err != nil || seen != n {
				t.Fatalf("scanned %d users (%v), want %d", seen, err, n)
			}
			outs, err := s.ListOutcomes(ctx, run, store.OutcomeQuery{})
			if err != nil || len(outs) != n {
				t.Fatalf("%d outcomes (%v), want %d", len(outs), err, n)
			}
		})
	}
}

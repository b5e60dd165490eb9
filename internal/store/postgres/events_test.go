package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/store"
	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
)

// TestEventsFollowedDuringConcurrentWriters: a client reading after=SEQ
// must never skip an event that commits later with a lower number. Several
// writers apply batches at once (as runs of different connections on
// several instances do) while a follower polls the feed as fast as it can,
// remembering only the last sequence number it saw; at the end it must
// have seen every event, each once.
func TestEventsFollowedDuringConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	s := open(t, url)
	defer s.Close()
	const writers, batches, perBatch = 6, 25, 4
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws := open(t, url) // its own pool, as another instance has
			defer ws.Close()
			conn := fmt.Sprintf("c%d", w)
			run, err := ws.CreateRun(ctx, store.Run{Connection: conn, Trigger: store.TriggerManual, Mode: store.ModeFull, Status: store.RunRunning})
			if err != nil {
				errs <- err
				return
			}
			for b := range batches {
				var batch store.Batch
				batch.RunID, batch.Connection = run, conn
				for i := range perBatch {
					id := fmt.Sprintf("%s-%d-%d", conn, b, i)
					batch.Creates = append(batch.Creates, store.User{ExternalID: id, UserID: id, Status: store.StatusActive})
				}
				if err := ws.Apply(ctx, batch); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	seen := map[int64]bool{}
	var after int64
	follow := func() {
		es, err := s.ListEvents(ctx, after, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if seen[e.Seq] {
				t.Fatalf("event %d seen twice", e.Seq)
			}
			seen[e.Seq] = true
			after = e.Seq
		}
	}
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
			follow()
		}
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for range 3 {
		follow()
		time.Sleep(10 * time.Millisecond)
	}
	all, err := s.ListEvents(ctx, 0, writers*batches*perBatch+10)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != writers*batches*perBatch {
		t.Fatalf("%d events for %d created users", len(all), writers*batches*perBatch)
	}
	var missed []int64
	for _, e := range all {
		if !seen[e.Seq] {
			missed = append(missed, e.Seq)
		}
	}
	if len(missed) > 0 {
		t.Fatalf("the follower skipped %d events that committed after it read past them: %v", len(missed), missed)
	}
}

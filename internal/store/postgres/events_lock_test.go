package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/store"
	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
)

// TestEventLockDoesNotDeadlock: a run's transaction holding the feed lock
// and an operator's edit of a user the run is about to change must not
// deadlock: the edit waits for the lock before it takes the user's row.
func TestEventLockDoesNotDeadlock(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var ids [2]int64
	for i := range ids {
		if ids[i], err = s.CreateLocalUser(ctx, store.User{UserID: fmt.Sprintf("u%d", i), Status: store.StatusActive}); err != nil {
			t.Fatal(err)
		}
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `UPDATE users SET fields = '{"a":"1"}' WHERE id = $1`, ids[0]); err != nil {
		t.Fatal(err)
	}
	edit := make(chan error, 1)
	go func() { edit <- s.SetUserField(ctx, ids[1], "title", "edited") }()
	time.Sleep(300 * time.Millisecond) // the edit is waiting now
	if _, err := tx.Exec(ctx, `UPDATE users SET fields = '{"b":"2"}' WHERE id = $1`, ids[1]); err != nil {
		t.Fatalf("the run's second change: %v", err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-edit; err != nil {
		t.Fatalf("the operator's edit: %v", err)
	}
	u, _ := s.GetUser(ctx, ids[1])
	if u.Fields["title"] != "edited" {
		t.Fatalf("the edit was lost: %+v", u.Fields)
	}
}

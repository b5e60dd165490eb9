package postgres

import (
	"context"
	"errors"
	"testing"

	"github.com/usersync/usersync/internal/store"
	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
)

// TestUpgradeKeepsDuplicateUserIDs: a database made before userIds were
// unique may hold two active users with one userId. The upgrade must not
// fail on them: it keeps both, reports them, and refuses any new one.
func TestUpgradeKeepsDuplicateUserIDs(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	old, err := open(ctx, url, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct{ conn, ext, userID, status, source string }{
		{"a", "1", "Dup", "active", "directory"},
		{"b", "1", "dup", "active", "directory"},
		{"b", "2", "DUP", "inactive", "directory"},
		{"", "", "dUp", "active", "local"},
		{"a", "2", "single", "active", "directory"},
	} {
		if _, err := old.pool.Exec(ctx, `INSERT INTO users(connection, external_id, user_id, status, source) VALUES ($1, $2, $3, $4, $5)`,
			u.conn, u.ext, u.userID, u.status, u.source); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()
	s, err := Open(ctx, url)
	if err != nil {
		t.Fatalf("upgrade with duplicate userIds failed: %v", err)
	}
	defer s.Close()
	dups, err := s.DuplicateUserIDs(ctx)
	if err != nil || len(dups) != 3 || dups[0].UserID != "Dup" || dups[1].UserID != "dup" || dups[2].UserID != "dUp" {
		t.Fatalf("DuplicateUserIDs after the upgrade = %+v, %v; want the three active Dup users, oldest first", dups, err)
	}
	if err := s.Apply(ctx, store.Batch{Connection: "c", Creates: []store.User{{ExternalID: "1", UserID: "DUP", Status: store.StatusActive}}}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a fourth active Dup = %v, want ErrConflict", err)
	}
	// A kept duplicate that leaves loses its exemption: it cannot come back
	// while the userId is held.
	second := dups[1].ID
	if err := s.Apply(ctx, store.Batch{Connection: "b", Deactivate: []int64{second}}); err != nil {
		t.Fatal(err)
	}
	err = s.Apply(ctx, store.Batch{Connection: "b", Updates: []store.User{{ID: second, UserID: "dup", Status: store.StatusActive}}})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("reactivating a kept duplicate = %v, want ErrConflict", err)
	}
	if dups, _ := s.DuplicateUserIDs(ctx); len(dups) != 2 {
		t.Fatalf("DuplicateUserIDs after one left = %+v, want 2", dups)
	}
}

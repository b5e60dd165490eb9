package postgres

import (
	"context"
	"errors"
	"testing"

	"github.com/usersync/usersync/internal/store"
	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
)

// TestUpgradeKeepsUnicodeDuplicateUserIDs: before userIds were compared
// with Unicode case folding, whether "JÜRGEN" and "jürgen" could both be
// active depended on the database's locale. The upgrade must not fail on
// them: it keeps both, reports them, refuses a third, and leaves users that
// only look alike ("İlker", "ilker") alone.
func TestUpgradeKeepsUnicodeDuplicateUserIDs(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	old, err := open(ctx, url, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct{ conn, ext, userID, status string }{
		{"a", "1", "JÜRGEN", "active"},
		{"b", "1", "jürgen", "active"},
		{"b", "2", "Jürgen", "inactive"},
		{"a", "2", "İlker", "active"},
		{"b", "3", "ilker", "active"},
	} {
		if _, err := old.pool.Exec(ctx, `INSERT INTO users(connection, external_id, user_id, status, source) VALUES ($1, $2, $3, $4, 'directory')`,
			u.conn, u.ext, u.userID, u.status); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()
	s, err := Open(ctx, url)
	if err != nil {
		t.Fatalf("upgrade with Unicode duplicate userIds failed: %v", err)
	}
	defer s.Close()
	dups, err := s.DuplicateUserIDs(ctx)
	if err != nil || len(dups) != 2 || dups[0].UserID != "JÜRGEN" || dups[1].UserID != "jürgen" {
		t.Fatalf("DuplicateUserIDs after the upgrade = %+v, %v; want JÜRGEN and jürgen, oldest first", dups, err)
	}
	if found, err := s.FindActiveUsers(ctx, []string{"jÜrgen"}); err != nil || len(found) != 2 {
		t.Fatalf("FindActiveUsers(jÜrgen) after the upgrade = %+v, %v; want both kept users", found, err)
	}
	if err := s.Apply(ctx, store.Batch{Connection: "c", Creates: []store.User{{ExternalID: "1", UserID: "Jürgen", Status: store.StatusActive}}}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a third active Jürgen = %v, want ErrConflict", err)
	}
}

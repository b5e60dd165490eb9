package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/usersync/usersync/internal/store"
)

// TestUpgradeKeepsUnicodeDuplicateUserIDs: before userIds were compared
// with Unicode case folding, "JÜRGEN" and "jürgen" could both be active.
// The upgrade must not fail on them: it keeps both, reports them, refuses
// a third, and leaves users that only look alike ("İlker", "ilker") alone.
func TestUpgradeKeepsUnicodeDuplicateUserIDs(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := open(ctx, path, 9)
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
		if _, err := old.db.ExecContext(ctx, `INSERT INTO users(connection, external_id, user_id, status, source, fields, created_at, updated_at)
			VALUES (?, ?, ?, ?, 'directory', '{}', ?, ?)`, u.conn, u.ext, u.userID, u.status, now(), now()); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()
	s, err := Open(ctx, path)
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

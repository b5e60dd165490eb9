package postgres

import (
	"context"
	"testing"

	"github.com/usersync/usersync/internal/events"
	"github.com/usersync/usersync/internal/store"
	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
)

// TestUpgradeSeedsTheFeed: a store that held users and memberships before
// the change feed existed starts its feed with them, so that a client
// following it from sequence 0 still rebuilds every user.
func TestUpgradeSeedsTheFeed(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	old, err := open(ctx, url, 11)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO users(id, connection, external_id, user_id, user_key, status, source, fields, super_user)
			VALUES (1, 'corp', 'e1', 'ann', 'ann', 'active', 'directory', '{"email":"ann@example.com"}', true)`,
		`INSERT INTO users(id, connection, external_id, user_id, user_key, status, source) VALUES (2, '', '', 'admin', 'admin', 'inactive', 'local')`,
		`INSERT INTO app_entities(id, kind, name) VALUES (1, 'group', 'Eng')`,
		`INSERT INTO memberships(user_row_id, entity_id, source) VALUES (1, 1, 'rule:corp')`,
	} {
		if _, err := old.pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()
	s, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	es, err := s.ListEvents(ctx, 0, 100)
	if err != nil || len(es) != 3 {
		t.Fatalf("the upgraded feed = %+v, %v; want two users and a membership", es, err)
	}
	r := events.NewReplica()
	for _, e := range es {
		if _, err := r.Apply(events.FromStore(e)); err != nil {
			t.Fatal(err)
		}
	}
	want, err := events.Snapshot(ctx, store.Store(s))
	if err != nil {
		t.Fatal(err)
	}
	if d := events.Diff(want, r); d != "" {
		t.Fatalf("the seeded feed does not rebuild the store:\n%s", d)
	}
}

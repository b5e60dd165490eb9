package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/usersync/usersync/internal/store"
	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
)

// TestDuplicateUserIDsPlannedOnEmptyTable prepares the queries of
// DuplicateUserIDs while the users table is empty, as a pooled connection
// does during a first sync, fills the table and runs the plans prepared
// then: each reads at most a few blocks per user (an index scan visits a
// heap block per row), never the whole table once per user.
func TestDuplicateUserIDsPlannedOnEmptyTable(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	// A plan prepared now is kept: a query without parameters always
	// reuses it, and this makes the one with a parameter do so too.
	if _, err := conn.Exec(ctx, `SET plan_cache_mode = force_generic_plan`); err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct{ name, sql string }{{"dup_keys", duplicateKeysSQL}, {"dup_users", duplicateUsersSQL}} {
		if _, err := conn.Exec(ctx, "PREPARE "+q.name+" AS "+q.sql); err != nil {
			t.Fatal(err)
		}
		// The plan is made at the first execution.
		if _, err := conn.Exec(ctx, "EXPLAIN EXECUTE "+q.name+map[string]string{"dup_keys": "", "dup_users": "('{}')"}[q.name]); err != nil {
			t.Fatal(err)
		}
	}
	run, err := s.CreateRun(ctx, store.Run{Connection: "c", Trigger: store.TriggerManual, Mode: store.ModeFull, Status: store.RunRunning})
	if err != nil {
		t.Fatal(err)
	}
	const n = 20000
	b := store.Batch{RunID: run, Connection: "c"}
	for i := range n {
		b.Creates = append(b.Creates, store.User{ExternalID: fmt.Sprintf("ext-%d", i), UserID: fmt.Sprintf("u%d", i), Status: store.StatusActive})
	}
	if err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	var pages int64
	if err := conn.QueryRow(ctx, `SELECT pg_total_relation_size('users') / 8192`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, exec string }{
		{"keys", "EXECUTE dup_keys"},
		{"users", "EXECUTE dup_users('{u1,u2}')"},
	} {
		var raw []byte
		if err := conn.QueryRow(ctx, "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) "+tc.exec).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		var plan []struct {
			Plan struct {
				Hit  int64 `json:"Shared Hit Blocks"`
				Read int64 `json:"Shared Read Blocks"`
			}
		}
		if err := json.Unmarshal(raw, &plan); err != nil || len(plan) != 1 {
			t.Fatalf("%s: explain: %v: %s", tc.name, err, raw)
		}
		if blocks := plan[0].Plan.Hit + plan[0].Plan.Read; blocks > pages+2*n {
			t.Errorf("%s: the plan prepared on an empty table read %d blocks for %d users (table and indexes: %d blocks)", tc.name, blocks, n, pages)
		}
	}
}

package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/usersync/usersync/internal/store"
	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
)

// A pooled connection may prepare a statement while the users table is
// still empty, during a first sync, and keep that plan. The tests below
// prepare the statements that look users up by key on an empty table, fill
// the table and run the plans prepared then: each may read a few blocks
// per user it names (an index scan visits a heap block per row), never the
// whole table once per user.

// emptyTablePlans opens a store, prepares each statement (name → SQL) on
// one connection while the users table is empty, with every plan kept
// generic, and then creates n users. It returns the store, the connection
// and the size of the users table and its indexes in blocks.
func emptyTablePlans(t *testing.T, n int, stmts map[string]string, firstArgs map[string]string) (*Store, *pgxpool.Conn, int64) {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Release)
	// A plan prepared now is kept: a query without parameters always
	// reuses it, and this makes one with parameters do so too.
	if _, err := conn.Exec(ctx, `SET plan_cache_mode = force_generic_plan`); err != nil {
		t.Fatal(err)
	}
	run, err := s.CreateRun(ctx, store.Run{Connection: "c", Trigger: store.TriggerManual, Mode: store.ModeFull, Status: store.RunRunning})
	if err != nil {
		t.Fatal(err)
	}
	for name, sql := range stmts {
		if _, err := conn.Exec(ctx, "PREPARE "+name+" AS "+sql); err != nil {
			t.Fatal(err)
		}
		// The plan is made at the first execution.
		if _, err := conn.Exec(ctx, "EXPLAIN EXECUTE "+name+firstArgs[name]); err != nil {
			t.Fatal(err)
		}
	}
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
	return s, conn, pages
}

// blocksRead runs exec under EXPLAIN ANALYZE and returns the shared blocks
// it read or found in the buffer cache.
func blocksRead(t *testing.T, conn *pgxpool.Conn, exec string) int64 {
	t.Helper()
	var raw []byte
	if err := conn.QueryRow(context.Background(), "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) "+exec).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	var plan []struct {
		Plan struct {
			Hit  int64 `json:"Shared Hit Blocks"`
			Read int64 `json:"Shared Read Blocks"`
		}
	}
	if err := json.Unmarshal(raw, &plan); err != nil || len(plan) != 1 {
		t.Fatalf("explain %s: %v: %s", exec, err, raw)
	}
	return plan[0].Plan.Hit + plan[0].Plan.Read
}

// TestDuplicateUserIDsPlannedOnEmptyTable: the queries of DuplicateUserIDs.
func TestDuplicateUserIDsPlannedOnEmptyTable(t *testing.T) {
	const n = 20000
	_, conn, pages := emptyTablePlans(t, n, map[string]string{"dup_keys": duplicateKeysSQL, "dup_users": duplicateUsersSQL},
		map[string]string{"dup_users": "('{}')"})
	for _, tc := range []struct{ name, exec string }{
		{"keys", "EXECUTE dup_keys"},
		{"users", "EXECUTE dup_users('{u1,u2}')"},
	} {
		if blocks := blocksRead(t, conn, tc.exec); blocks > pages+2*n {
			t.Errorf("%s: the plan prepared on an empty table read %d blocks for %d users (table and indexes: %d blocks)", tc.name, blocks, n, pages)
		}
	}
}

// TestCreatedMembershipsPlannedOnEmptyTable: the statement that gives new
// users their memberships finds each user by its link. Planned as a join
// on the empty table of a first sync, it scanned every user for every
// batch (a 100,000-user first sync took 72 s instead of 7 s).
func TestCreatedMembershipsPlannedOnEmptyTable(t *testing.T) {
	const n = 20000
	ctx := context.Background()
	s, conn, pages := emptyTablePlans(t, n, map[string]string{"created_memberships": createdMembershipsSQL},
		map[string]string{"created_memberships": "('{}', '{}', '{}', 'c')"})
	e, err := s.CreateEntity(ctx, store.KindGroup, "Staff")
	if err != nil {
		t.Fatal(err)
	}
	exec := fmt.Sprintf("EXECUTE created_memberships('{ext-7,ext-19999}', '{%d,%d}', '{manual,manual}', 'c')", e.ID, e.ID)
	if blocks := blocksRead(t, conn, exec); blocks > pages/4 {
		t.Errorf("the plan prepared on an empty table read %d blocks to add 2 memberships (users table and indexes: %d blocks)", blocks, pages)
	}
	var added int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM memberships WHERE entity_id = $1`, e.ID).Scan(&added); err != nil || added != 2 {
		t.Fatalf("memberships added: %d, %v; want 2", added, err)
	}
}

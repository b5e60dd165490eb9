package postgres

import (
	"context"
	"strings"
	"testing"

	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
)

// TestEmailLookupUsesIndex: an LDAP search for (mail=x) must be answered
// from the users_email index. Sequential scans are switched off for the
// plan so that an empty table cannot make a scan look cheaper: what the
// test proves is that the index matches the lookup's expression.
func TestEmailLookupUsesIndex(t *testing.T) {
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
	if _, err := conn.Exec(ctx, `SET enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, `EXPLAIN SELECT `+userColumns+` FROM users WHERE lower(fields->>'email') = lower($1) ORDER BY id`, "x")
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, line)
	}
	rows.Close()
	if got := strings.Join(plan, "\n"); !strings.Contains(got, "users_email") {
		t.Errorf("plan does not use users_email:\n%s", got)
	}
}

package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestLookupsByExternalIDUseIndexes: the lookups of an incremental run
// must find the named users through the users_link index and their
// memberships through an index on the user, never scan users or
// memberships, or a run of a few changes would cost as much as reading
// the whole connection.
func TestLookupsByExternalIDUseIndexes(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// As many ids as one statement binds: the planner weighs a long list
	// differently from a short one.
	ids := make([]any, lookupChunk)
	for i := range ids {
		ids[i] = fmt.Sprintf("ext-%d", i)
	}
	tests := []struct {
		name, query string
		args        []any
	}{
		{"index entries", lookupIndexQuery(lookupChunk), append([]any{"corp"}, ids...)},
		{"rule holdings", holdingsOfQuery(lookupChunk), append([]any{"rule:corp", "corp"}, ids...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := s.db.QueryContext(ctx, `EXPLAIN QUERY PLAN `+tt.query, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, notused int
				var detail string
				if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			got := strings.Join(plan, "; ")
			if !strings.Contains(got, "INDEX users_link") || strings.Contains(got, "SCAN") {
				t.Errorf("plan %q: want a search of users using users_link and no scan", got)
			}
		})
	}
}

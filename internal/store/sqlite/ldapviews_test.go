package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestLDAPLookupsUseIndexes: an LDAP search for (uid=x) or (mail=x) must be
// answered from an index, never a scan of the users table, or a search over
// many users would take as long as a full read.
func TestLDAPLookupsUseIndexes(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tests := []struct{ name, query, index string }{
		{"mail", `SELECT ` + userColumns + ` FROM users WHERE lower(json_extract(fields, '$.email')) = lower(?) ORDER BY id`, "users_email"},
		{"uid", `SELECT ` + userColumns + ` FROM users WHERE user_key = ? ORDER BY id`, "users_user_key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := s.db.QueryContext(ctx, `EXPLAIN QUERY PLAN `+tt.query, "x")
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
			if !strings.Contains(got, "USING INDEX "+tt.index) || strings.Contains(got, "SCAN users") {
				t.Errorf("plan %q: want a search of users using %s, no scan", got, tt.index)
			}
		})
	}
}

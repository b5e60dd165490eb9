package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/store"
)

// TestWrapByCode: errors are classified by SQLite's result code, so a
// message that merely mentions UNIQUE is not a conflict, and a database
// locked by another writer is ErrBusy.
func TestWrapByCode(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "codes.db")
	open := func() *sql.DB {
		t.Helper()
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)")
		if err != nil {
			t.Fatal(err)
		}
		db.SetMaxOpenConns(1)
		t.Cleanup(func() { db.Close() })
		return db
	}
	a, b := open(), open()
	if _, err := a.ExecContext(ctx, `CREATE TABLE t (k TEXT PRIMARY KEY, "UNIQUE_NAME" TEXT NOT NULL, u TEXT UNIQUE)`); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ExecContext(ctx, `INSERT INTO t VALUES ('1', 'x', 'u')`); err != nil {
		t.Fatal(err)
	}
	_, dupKey := a.ExecContext(ctx, `INSERT INTO t VALUES ('1', 'y', 'v')`)
	_, dupUnique := a.ExecContext(ctx, `INSERT INTO t VALUES ('2', 'y', 'u')`)
	_, notNull := a.ExecContext(ctx, `INSERT INTO t VALUES ('3', NULL, 'w')`)
	tx, err := a.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO t VALUES ('4', 'z', 'z')`); err != nil {
		t.Fatal(err)
	}
	_, busy := b.ExecContext(ctx, `INSERT INTO t VALUES ('5', 'z', 'y')`)
	tx.Rollback()
	noRow := a.QueryRowContext(ctx, `SELECT k FROM t WHERE k = 'none'`).Scan(new(string))
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"duplicate primary key", dupKey, store.ErrConflict},
		{"duplicate unique column", dupUnique, store.ErrConflict},
		{"NOT NULL on a column named UNIQUE_NAME", notNull, nil},
		{"write while another connection writes", busy, store.ErrBusy},
		{"no row", noRow, store.ErrNotFound},
		{"success", nil, nil},
	}
	for _, tt := range tests {
		got := wrap(tt.err, "test %s", tt.name)
		if tt.err == nil {
			if got != nil {
				t.Errorf("wrap(nil) = %v", got)
			}
			continue
		}
		for _, sentinel := range []error{store.ErrConflict, store.ErrBusy, store.ErrNotFound} {
			if errors.Is(got, sentinel) != (sentinel == tt.want) {
				t.Errorf("%s: wrap(%v) = %v; errors.Is(%v) = %v", tt.name, tt.err, got, sentinel, !(sentinel == tt.want))
			}
		}
		if !strings.HasPrefix(got.Error(), "sqlite: test ") {
			t.Errorf("%s: wrap = %v, want the sqlite: prefix", tt.name, got)
		}
	}
}

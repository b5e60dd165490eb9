package scimtest

import (
	"testing"

	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// stores runs a test on SQLite and on PostgreSQL.
func stores(t *testing.T, fn func(t *testing.T, db func(t *testing.T) string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, func(*testing.T) string { return "" }) })
	t.Run("postgres", func(t *testing.T) { fn(t, func(t *testing.T) string { return pgtest.URL(t) }) })
}

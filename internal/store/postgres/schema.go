package postgres

import (
	"context"
	"fmt"

	"github.com/usersync/usersync/internal/store"
)

// LatestVersion is the newest schema version this binary knows.
func LatestVersion() int {
	list, _ := migrationList()
	latest := 0
	for _, m := range list {
		latest = max(latest, m.version)
	}
	return latest
}

// refuseNewer fails, before any migration runs in the migration's
// transaction, when the database holds a migration newer than every one
// this binary knows: a newer usersync wrote it.
func refuseNewer(applied []int32, list []migration) error {
	latest := 0
	for _, m := range list {
		latest = max(latest, m.version)
	}
	have := 0
	for _, v := range applied {
		have = max(have, int(v))
	}
	if have > latest {
		return store.SchemaTooNew("postgres", have, latest)
	}
	return nil
}

// SchemaVersion returns the newest migration applied to the database.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int32
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("postgres: schema version: %w", err)
	}
	return int(v), nil
}

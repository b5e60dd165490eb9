package sqlite

import (
	"context"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/usersync/usersync/internal/store"
)

// LatestVersion is the newest schema version this binary knows.
func LatestVersion() int {
	names, _ := fs.Glob(migrations, "migrations/*.sql")
	sort.Strings(names)
	latest := 0
	for _, name := range names {
		v, err := strconv.Atoi(strings.SplitN(strings.TrimPrefix(name, "migrations/"), "_", 2)[0])
		if err == nil && v > latest {
			latest = v
		}
	}
	return latest
}

// refuseNewer fails before any migration runs when the store holds a
// migration newer than the newest of names: a newer usersync wrote it, and
// migrating or using it here could half-apply an upgrade or lose data.
func (s *Store) refuseNewer(ctx context.Context, names []string) error {
	var have int
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return wrap(err, "migrate: read the schema version")
	}
	if latest := LatestVersion(); have > latest {
		return schemaTooNew(have, latest)
	}
	return nil
}

func schemaTooNew(have, latest int) error { return store.SchemaTooNew("sqlite", have, latest) }

// SchemaVersion returns the newest migration applied to the store.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("sqlite: schema version: %w", err)
	}
	return v, nil
}

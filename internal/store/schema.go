package store

import (
	"errors"
	"fmt"
)

// ErrSchemaTooNew is returned when a store was migrated by a newer usersync
// than this binary: its schema has migrations this binary does not know, so
// reading or writing it could lose what the newer version keeps. The store
// is left exactly as it was.
var ErrSchemaTooNew = errors.New("store schema is newer than this usersync")

// SchemaTooNew builds the error for a store at schema version have when this
// binary knows versions up to known, naming both and what to do.
func SchemaTooNew(kind string, have, known int) error {
	return fmt.Errorf("%s: %w: the store is at schema version %d, this binary knows up to %d; run the newer usersync that migrated it (or restore a backup made before the upgrade); nothing was changed",
		kind, ErrSchemaTooNew, have, known)
}

package sqlite

import (
	"database/sql"
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/usersync/usersync/internal/store"
)

// wrap prefixes err with "sqlite: " and what was being done, and maps it by
// SQLite's result code, never by message text: a uniqueness violation is
// store.ErrConflict, a database locked past the busy timeout is
// store.ErrBusy, and sql.ErrNoRows is store.ErrNotFound, so that callers
// can test them with errors.Is.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	what := fmt.Sprintf(format, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: %s: %w", what, store.ErrNotFound)
	}
	if sentinel := bySQLiteCode(err); sentinel != nil {
		return fmt.Errorf("sqlite: %s: %w: %w", what, sentinel, err)
	}
	return fmt.Errorf("sqlite: %s: %w", what, err)
}

// bySQLiteCode returns the store error an SQLite error stands for, or nil.
// The extended code names the constraint; its low byte is the primary code.
func bySQLiteCode(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return nil
	}
	switch code := se.Code(); {
	case code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return store.ErrConflict
	case code&0xff == sqlite3.SQLITE_BUSY || code&0xff == sqlite3.SQLITE_LOCKED:
		return store.ErrBusy
	}
	return nil
}

// isConflict reports whether err is a uniqueness violation.
func isConflict(err error) bool { return errors.Is(bySQLiteCode(err), store.ErrConflict) }

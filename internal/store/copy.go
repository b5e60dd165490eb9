package store

import (
	"context"
	"errors"
)

// Exporter is a store that can give every row of every one of its tables,
// as its database lists them. Store copy reads through it rather than
// through the Store methods, so that a table added by a later migration is
// copied without anyone remembering to: the conformance test compares the
// row counts of every table the databases list.
type Exporter interface {
	// ExportTables lists the store's tables from the database's own
	// catalog, without those in CopySkipped.
	ExportTables(ctx context.Context) ([]string, error)
	// ExportRows calls fn for every row of table with the column names and
	// the row's values: nil, int64, float64, bool, string (text, and JSON
	// as its text), []byte or time.Time.
	ExportRows(ctx context.Context, table string, fn func(cols []string, vals []any) error) error
}

// Importer is a store that can take every table of an Exporter into its
// own schema in one transaction, converting each value to the column's
// type, so that a failed copy leaves it as empty as it was.
type Importer interface {
	// ImportFrom copies every table src exports and returns the rows
	// copied by table. It refuses a store that already holds rows
	// (ErrNotEmptyStore), and a source table or column it has no place
	// for (nothing is silently dropped).
	ImportFrom(ctx context.Context, src Exporter) (map[string]int64, error)
}

// ErrNotEmptyStore is returned when a copy's target already holds data.
var ErrNotEmptyStore = errors.New("the target store is not empty")

// CopySkipped are the tables a store copy leaves out, with why: the
// target's schema version is its own, written when it was migrated, and a
// lease belongs to a process of the source's installation (it expires by
// itself; copied, it would keep the target's first run waiting).
var CopySkipped = map[string]string{
	"schema_migrations": "the target records its own migrations",
	"leases":            "leases belong to the processes of the source installation",
}

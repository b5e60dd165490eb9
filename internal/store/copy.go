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

// CopyReplaced are tables a copy empties in the target just before it
// takes the source's rows, with why. They are copied after every other
// table, since inserting users and memberships fires the triggers that
// write them.
var CopyReplaced = map[string]string{
	"event_state": "its one row is written by the migration that creates it; the source's row, with how far its feed was pruned, replaces it",
	"events":      "the feed's triggers write an event for every user and membership the copy inserts; the source's own events, with their sequence numbers, replace them",
}

// ReplacedLast returns tables in the same order, but with those in
// CopyReplaced moved to the end.
func ReplacedLast(tables []string) []string {
	out := make([]string, 0, len(tables))
	var last []string
	for _, t := range tables {
		if _, ok := CopyReplaced[t]; ok {
			last = append(last, t)
			continue
		}
		out = append(out, t)
	}
	return append(out, last...)
}

// CopyTransient are columns an export leaves out, with why: they hold
// state that lives only inside one transaction, so one store may have them
// where the other keeps that state elsewhere.
var CopyTransient = map[string]string{
	"event_state.run_id": "the run the current transaction writes for, 0 between transactions (PostgreSQL keeps it in a transaction-local setting)",
}

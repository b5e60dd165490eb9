package reconcile

import (
	"context"
	"fmt"

	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/store"
)

// deltaIndex builds the index of a run that reads only changed entries.
// The index starts empty, with the connection's active count from the
// store (the deletion guard needs it), and every read batch adds the
// stored users its entries name, in one lookup, before the batch is
// planned: the run's reads and memory grow with the changes, not with the
// connection.
//
// A lookup costs about as much per user as a row of the scan of the whole
// index, so a delta that names a large share of the connection would pay
// for both. Once the ids looked up pass a tenth of the connection's active
// users, the rest of the index is loaded in one scan and no more lookups
// are made: such a run costs at most about a tenth more than one that
// loads the whole index at the start, and a small delta never scans.
type deltaIndex struct {
	users store.Users
	conn  string
	ix    *index
	// looked counts the external ids looked up so far; past limit the
	// whole index is loaded.
	looked, limit int
	full          bool
}

// minFullIndex is the fewest lookups after which a delta loads the whole
// index, so that a small connection does not scan after one batch.
const minFullIndex = 4 * readBatch

func newDeltaIndex(ctx context.Context, s store.Store, conn string) (*deltaIndex, error) {
	_, active, err := s.IndexEntries(ctx, conn, nil)
	if err != nil {
		return nil, fmt.Errorf("reconcile: count active users: %w", err)
	}
	ix := newIndex()
	ix.active = active
	return &deltaIndex{users: s, conn: conn, ix: ix, limit: max(active/10, minFullIndex)}, nil
}

// load adds the stored users linked to exts that the index does not hold
// yet. Users this run created are left out (created), so that a second
// entry with the id of one is still refused as a duplicate, as in a full
// run. Users already in the index keep what the run knows of them, and are
// not counted again as active: the count came from the store before the
// run wrote anything.
func (d *deltaIndex) load(ctx context.Context, exts []string, created *extSet) error {
	if d.full {
		return nil
	}
	want := exts[:0:0]
	for _, ext := range exts {
		if _, known := d.ix.ids.find(ext); !known && ext != "" && !created.has(ext) {
			want = append(want, ext)
		}
	}
	if len(want) == 0 {
		return nil
	}
	d.looked += len(want)
	if d.looked > d.limit {
		d.full = true
		err := d.users.ScanIndex(ctx, d.conn, func(e store.IndexEntry) error {
			if !created.has(e.ExternalID) {
				d.ix.add(e)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("reconcile: load index: %w", err)
		}
		return nil
	}
	entries, err := d.users.LookupIndex(ctx, d.conn, want)
	if err != nil {
		return fmt.Errorf("reconcile: look up index: %w", err)
	}
	for _, e := range entries {
		d.ix.add(e)
	}
	return nil
}

// loadEntries loads the stored users a batch of changed entries names.
func (d *deltaIndex) loadEntries(ctx context.Context, linkingKey string, batch []*directory.Entry, created *extSet) error {
	exts := make([]string, 0, len(batch))
	for _, en := range batch {
		exts = append(exts, en.Get(linkingKey))
	}
	return d.load(ctx, exts, created)
}

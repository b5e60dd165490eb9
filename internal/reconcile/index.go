package reconcile

import (
	"context"

	"github.com/usersync/usersync/internal/store"
)

// ref is what a run remembers about one stored user: enough to skip an
// unchanged entry without reading its row, and to find who vanished.
type ref struct {
	id     int64
	hash   uint64
	active bool
	seen   bool
	userID string
	// since is when an inactive user was deactivated (Unix seconds, 0 when
	// unknown), for the deactivateThenDelete leave policy.
	since int64
}

// index maps a connection's external ids to stored users. It costs about a
// hundred bytes a user (the key string dominates): the one piece of run state
// that grows with the directory, and what lets an unchanged entry cost no
// store access at all.
type index struct {
	byExt  map[string]*ref
	active int
}

func loadIndex(ctx context.Context, s store.Users, conn string) (*index, error) {
	ix := &index{byExt: map[string]*ref{}}
	err := s.ScanIndex(ctx, conn, func(e store.IndexEntry) error {
		r := &ref{id: e.ID, hash: e.Hash, active: e.Status == store.StatusActive, userID: e.UserID}
		if !e.InactiveSince.IsZero() {
			r.since = e.InactiveSince.Unix()
		}
		if r.active {
			ix.active++
		}
		ix.byExt[e.ExternalID] = r
		return nil
	})
	return ix, err
}

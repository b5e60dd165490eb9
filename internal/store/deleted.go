package store

import (
	"context"
	"time"
)

// DefaultDeletedRetention is how long a deleted directory user's last
// state is kept so that an undo of the run that deleted it can restore it.
const DefaultDeletedRetention = 30 * 24 * time.Hour

// DeletedUsers keeps, for a retention period, the last state of every
// directory user a run deleted. Apply records it in the same transaction
// as the delete.
type DeletedUsers interface {
	// DeletedUser returns the user as it was when run runID deleted row
	// userRowID, with DeletedAt set. ErrNotFound means the run did not
	// delete that user, or its record was purged after the retention
	// period.
	DeletedUser(ctx context.Context, runID, userRowID int64) (DeletedUser, error)
	// PurgeDeletedUsers forgets the users deleted before cutoff and returns
	// how many it forgot.
	PurgeDeletedUsers(ctx context.Context, cutoff time.Time) (int, error)
}

// DeletedUser is a deleted directory user as it was just before the delete.
type DeletedUser struct {
	RunID     int64
	User      User
	DeletedAt time.Time
	// Memberships are those the user held, of every source, named by the
	// entity's kind and name (UserRowID and EntityID are zero): the entity
	// may have been deleted, or created again under another id, by the time
	// the user is restored.
	Memberships []Membership
}

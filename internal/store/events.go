package store

import (
	"context"
	"errors"
	"time"
)

// Event kinds: what happened to a user or a membership.
const (
	EventUserCreated       = "user.created"
	EventUserUpdated       = "user.updated"
	EventUserDeactivated   = "user.deactivated"
	EventUserReactivated   = "user.reactivated"
	EventUserDeleted       = "user.deleted"
	EventMembershipAdded   = "membership.added"
	EventMembershipRemoved = "membership.removed"
)

// EventKinds lists every event kind.
var EventKinds = []string{EventUserCreated, EventUserUpdated, EventUserDeactivated, EventUserReactivated,
	EventUserDeleted, EventMembershipAdded, EventMembershipRemoved}

// ErrEventsPruned is returned when a reader asks for events after a
// sequence number older than the retention kept: some of the events it
// has not seen are gone, and it must start again from the users.
var ErrEventsPruned = errors.New("events pruned")

// Event is one change to a user or a membership, recorded in the same
// transaction as the change. Seq increases in commit order.
type Event struct {
	Seq        int64
	Kind       string
	At         time.Time
	RunID      int64 // 0 when no run made the change (an operator did)
	Connection string
	UserRowID  int64
	// User is the user after the change (before it, for user.deleted):
	// every field, so that a reader can rebuild the user from one event.
	// It is nil for membership events.
	User *User
	// Changed names the fields a user.updated, .deactivated or
	// .reactivated event changed or removed, sorted.
	Changed []string
	// Membership is the membership added or removed (nil for user events).
	Membership *Membership
}

// Events reads and prunes the change feed. Events are written by the
// stores themselves, in the transaction of every change.
type Events interface {
	// ListEvents returns up to limit events with a sequence number above
	// after, in order. When after is below the highest pruned sequence
	// number, it returns ErrEventsPruned.
	ListEvents(ctx context.Context, after int64, limit int) ([]Event, error)
	// LastEventSeq returns the highest committed sequence number (0 when
	// there is none yet).
	LastEventSeq(ctx context.Context) (int64, error)
	// PruneEvents deletes the events recorded before cutoff, always a
	// prefix of the feed, and returns how many it deleted.
	PruneEvents(ctx context.Context, cutoff time.Time) (int, error)
}

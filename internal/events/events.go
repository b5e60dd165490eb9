// Package events is the change feed as clients see it: the wire form of an
// event, reading pages of the feed, and Replica, which rebuilds users and
// memberships from events the way an application following the feed does.
package events

import (
	"context"
	"fmt"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// Event is one change in the form the API, the CLI and webhooks send.
type Event struct {
	Seq        int64     `json:"seq"`
	Kind       string    `json:"kind"`
	At         time.Time `json:"at"`
	RunID      int64     `json:"runId,omitempty"`
	Connection string    `json:"connection"`
	UserRowID  int64     `json:"userRowId"`
	User       *User     `json:"user,omitempty"`
	// ChangedFields names the fields whose value the change set or
	// removed; their new values are in User.Fields.
	ChangedFields []string    `json:"changedFields,omitempty"`
	Membership    *Membership `json:"membership,omitempty"`
}

// User is the whole user after the change (before it, for user.deleted):
// every field is present, so that a field missing from Fields was removed.
type User struct {
	ID         int64             `json:"id"`
	Connection string            `json:"connection"`
	ExternalID string            `json:"externalId"`
	UserID     string            `json:"userId"`
	Status     string            `json:"status"`
	Source     string            `json:"source"`
	SuperUser  bool              `json:"superUser"`
	Fields     map[string]string `json:"fields"`
}

// Membership is the membership a membership event adds or removes.
type Membership struct {
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	Source string `json:"source"`
}

// FromStore converts a stored event to its wire form.
func FromStore(e store.Event) Event {
	out := Event{Seq: e.Seq, Kind: e.Kind, At: e.At.UTC(), RunID: e.RunID, Connection: e.Connection, UserRowID: e.UserRowID}
	if u := e.User; u != nil {
		f := u.Fields
		if f == nil {
			f = map[string]string{}
		}
		out.User = &User{ID: u.ID, Connection: u.Connection, ExternalID: u.ExternalID, UserID: u.UserID,
			Status: u.Status, Source: u.Source, SuperUser: u.SuperUser, Fields: f}
	}
	out.ChangedFields = e.Changed
	if m := e.Membership; m != nil {
		out.Membership = &Membership{Kind: m.Kind, Name: m.Name, Source: m.Source}
	}
	return out
}

// MaxLimit caps one page of the feed.
const MaxLimit = 1000

// Page is one read of the feed: the events after a sequence number and the
// sequence number to ask after next time.
type Page struct {
	Events []Event `json:"events"`
	// Next is the last event's seq, or the asked-for one when there were
	// none: a client stores it once it has processed the events.
	Next int64 `json:"next"`
}

// Read returns up to limit events after seq after (at most MaxLimit; 0
// means MaxLimit). A negative after is an error; an after older than the
// retention is store.ErrEventsPruned.
func Read(ctx context.Context, st store.Events, after int64, limit int) (Page, error) {
	if after < 0 {
		return Page{}, fmt.Errorf("events: after %d: must be 0 or more", after)
	}
	if limit <= 0 || limit > MaxLimit {
		limit = MaxLimit
	}
	es, err := st.ListEvents(ctx, after, limit)
	if err != nil {
		return Page{}, fmt.Errorf("events: read after %d: %w", after, err)
	}
	p := Page{Events: make([]Event, len(es)), Next: after}
	for i, e := range es {
		p.Events[i] = FromStore(e)
		p.Next = e.Seq
	}
	return p, nil
}

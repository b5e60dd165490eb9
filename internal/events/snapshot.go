package events

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"strings"

	"github.com/usersync/usersync/internal/store"
)

// Snapshot reads the users and memberships a store holds now, in the form
// of a Replica, so that a replica built from the feed can be compared
// with the truth.
func Snapshot(ctx context.Context, st store.Store) (*Replica, error) {
	r := NewReplica()
	us, err := st.ListUsers(ctx, store.UserQuery{})
	if err != nil {
		return nil, fmt.Errorf("events: snapshot: %w", err)
	}
	for _, u := range us {
		f := maps.Clone(u.Fields)
		if f == nil {
			f = map[string]string{}
		}
		r.Users[u.ID] = User{ID: u.ID, Connection: u.Connection, ExternalID: u.ExternalID, UserID: u.UserID,
			Status: u.Status, Source: u.Source, SuperUser: u.SuperUser, Fields: f}
		ms, err := st.UserMemberships(ctx, u.ID)
		if err != nil {
			return nil, fmt.Errorf("events: snapshot: %w", err)
		}
		for _, m := range ms {
			r.Members[MemberKey{u.ID, m.Kind, m.Name, m.Source}] = true
		}
	}
	return r, nil
}

// Diff describes how two replicas' users and memberships differ, or
// returns "" when they hold the same. Last is not compared.
func Diff(want, got *Replica) string {
	var b strings.Builder
	for id, w := range want.Users {
		g, ok := got.Users[id]
		switch {
		case !ok:
			fmt.Fprintf(&b, "user %d (%s) missing\n", id, w.UserID)
		case !reflect.DeepEqual(normal(w), normal(g)):
			fmt.Fprintf(&b, "user %d: want %+v, got %+v\n", id, w, g)
		}
	}
	for id, g := range got.Users {
		if _, ok := want.Users[id]; !ok {
			fmt.Fprintf(&b, "user %d (%s) should not exist\n", id, g.UserID)
		}
	}
	for k := range want.Members {
		if !got.Members[k] {
			fmt.Fprintf(&b, "membership %+v missing\n", k)
		}
	}
	for k := range got.Members {
		if !want.Members[k] {
			fmt.Fprintf(&b, "membership %+v should not exist\n", k)
		}
	}
	return b.String()
}

func normal(u User) User {
	if u.Fields == nil {
		u.Fields = map[string]string{}
	}
	return u
}

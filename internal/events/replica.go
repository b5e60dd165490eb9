package events

import (
	"fmt"
	"maps"
	"sort"

	"github.com/usersync/usersync/internal/store"
)

// Replica is what an application following the feed keeps: the users and
// memberships the events describe, and the last sequence number applied.
// It is how the tests prove that the feed is enough to rebuild usersync's
// users exactly, and a model for clients.
type Replica struct {
	Last    int64
	Users   map[int64]User
	Members map[MemberKey]bool
}

// MemberKey identifies one membership.
type MemberKey struct {
	UserRowID int64
	Kind      string
	Name      string
	Source    string
}

// NewReplica returns an empty replica, as a client starting from seq 0 has.
func NewReplica() *Replica {
	return &Replica{Users: map[int64]User{}, Members: map[MemberKey]bool{}}
}

// Apply applies one event. An event at or below Last was applied already
// (a redelivery after a crash) and is skipped, so that nothing is counted
// twice; it reports whether the event was new.
func (r *Replica) Apply(e Event) (bool, error) {
	if e.Seq <= r.Last {
		return false, nil
	}
	switch e.Kind {
	case store.EventUserCreated, store.EventUserUpdated, store.EventUserDeactivated, store.EventUserReactivated:
		if e.User == nil {
			return false, fmt.Errorf("event %d (%s) has no user", e.Seq, e.Kind)
		}
		u := *e.User
		u.Fields = maps.Clone(u.Fields)
		r.Users[e.UserRowID] = u
	case store.EventUserDeleted:
		delete(r.Users, e.UserRowID)
		for k := range r.Members {
			if k.UserRowID == e.UserRowID {
				delete(r.Members, k)
			}
		}
	case store.EventMembershipAdded, store.EventMembershipRemoved:
		if e.Membership == nil {
			return false, fmt.Errorf("event %d (%s) has no membership", e.Seq, e.Kind)
		}
		k := MemberKey{e.UserRowID, e.Membership.Kind, e.Membership.Name, e.Membership.Source}
		if e.Kind == store.EventMembershipAdded {
			r.Members[k] = true
		} else {
			delete(r.Members, k)
		}
	default:
		return false, fmt.Errorf("event %d: unknown kind %q", e.Seq, e.Kind)
	}
	r.Last = e.Seq
	return true, nil
}

// MemberList returns the memberships sorted, for comparisons.
func (r *Replica) MemberList() []MemberKey {
	out := make([]MemberKey, 0, len(r.Members))
	for k := range r.Members {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.UserRowID != b.UserRowID {
			return a.UserRowID < b.UserRowID
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Source < b.Source
	})
	return out
}

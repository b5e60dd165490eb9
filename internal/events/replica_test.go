package events

import (
	"context"
	"testing"

	"github.com/usersync/usersync/internal/store"
)

// A client applying the feed skips an event it already applied (a
// redelivery), refuses an event it cannot understand rather than guessing,
// and forgets a deleted user's memberships.
func TestReplicaApply(t *testing.T) {
	ann := &User{ID: 1, UserID: "ann", Status: store.StatusActive, Fields: map[string]string{"email": "a@example.com"}}
	tests := []struct {
		name    string
		ev      Event
		fresh   bool
		wantErr bool
	}{
		{"create", Event{Seq: 1, Kind: store.EventUserCreated, UserRowID: 1, User: ann}, true, false},
		{"the same again", Event{Seq: 1, Kind: store.EventUserCreated, UserRowID: 1, User: ann}, false, false},
		{"an older one", Event{Seq: 0, Kind: store.EventUserDeleted, UserRowID: 1}, false, false},
		{"membership", Event{Seq: 2, Kind: store.EventMembershipAdded, UserRowID: 1, Membership: &Membership{Kind: "group", Name: "Eng", Source: "manual"}}, true, false},
		{"user event without a user", Event{Seq: 3, Kind: store.EventUserUpdated, UserRowID: 1}, false, true},
		{"membership event without a membership", Event{Seq: 3, Kind: store.EventMembershipRemoved, UserRowID: 1}, false, true},
		{"unknown kind", Event{Seq: 3, Kind: "user.exploded", UserRowID: 1}, false, true},
		{"delete", Event{Seq: 4, Kind: store.EventUserDeleted, UserRowID: 1, User: ann}, true, false},
	}
	r := NewReplica()
	for _, tt := range tests {
		fresh, err := r.Apply(tt.ev)
		if fresh != tt.fresh || (err != nil) != tt.wantErr {
			t.Fatalf("%s: Apply = %v, %v; want fresh %v, error %v", tt.name, fresh, err, tt.fresh, tt.wantErr)
		}
	}
	if len(r.Users) != 0 || len(r.Members) != 0 || r.Last != 4 {
		t.Fatalf("after the delete the replica holds %+v, %+v at %d", r.Users, r.Members, r.Last)
	}
}

// Read refuses a negative position before it reaches the store.
func TestReadBounds(t *testing.T) {
	if _, err := Read(context.Background(), nil, -1, 10); err == nil {
		t.Fatal("Read after -1 succeeded")
	}
}

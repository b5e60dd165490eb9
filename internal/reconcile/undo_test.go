package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/store"
)

// undoState is an in-memory UndoState for the planning rules; the
// acceptance tests run the same plans against real directories and stores.
type undoState struct {
	users   map[int64]store.User
	members map[int64][]store.Membership
	deleted map[int64]store.DeletedUser
}

func (s *undoState) GetUsers(_ context.Context, ids []int64) ([]store.User, error) {
	var out []store.User
	for _, id := range ids {
		if u, ok := s.users[id]; ok {
			out = append(out, u)
		}
	}
	return out, nil
}

func (s *undoState) ScanIndex(_ context.Context, _ string, fn func(store.IndexEntry) error) error {
	for _, u := range s.users {
		if err := fn(store.IndexEntry{ID: u.ID, ExternalID: u.ExternalID, UserID: u.UserID, Status: u.Status}); err != nil {
			return err
		}
	}
	return nil
}

func (s *undoState) UserMemberships(_ context.Context, id int64) ([]store.Membership, error) {
	return s.members[id], nil
}

func (s *undoState) DeletedUser(_ context.Context, _, id int64) (store.DeletedUser, error) {
	d, ok := s.deleted[id]
	if !ok {
		return d, store.ErrNotFound
	}
	return d, nil
}

func (s *undoState) FindActiveUsers(_ context.Context, ids []string) ([]store.User, error) {
	var out []store.User
	for _, u := range s.users {
		for _, id := range ids {
			if u.Status == store.StatusActive && strings.EqualFold(u.UserID, id) {
				out = append(out, u)
			}
		}
	}
	return out, nil
}

func (s *undoState) ListEntities(context.Context, string) ([]store.Entity, error) {
	return []store.Entity{{ID: 7, Kind: store.KindGroup, Name: "Eng"}}, nil
}

func TestPlanUndo(t *testing.T) {
	run := store.Run{ID: 5, Connection: "corp"}
	user := func(fields map[string]string) store.User {
		return store.User{ID: 1, ExternalID: "e1", UserID: "ann", Status: store.StatusActive, Fields: fields, Hash: 99}
	}
	updated := func(ch ...store.FieldChange) []store.Outcome {
		return []store.Outcome{{RunID: 5, UserRowID: 1, ExternalID: "e1", UserID: "ann", Action: store.ActionUpdated, Changes: ch}}
	}
	for _, tc := range []struct {
		name      string
		user      store.User
		members   []store.Membership
		outs      []store.Outcome
		fields    map[string]string // the update's fields; nil means no update
		conflicts int
		adds      int
	}{
		{"field goes back", user(map[string]string{"title": "New"}), nil,
			updated(store.FieldChange{Field: "title", Old: "Old", New: "New"}), map[string]string{"title": "Old"}, 0, 0},
		{"field the run added is removed", user(map[string]string{"title": "New"}), nil,
			updated(store.FieldChange{Field: "title", New: "New"}), map[string]string{}, 0, 0},
		{"value already as before needs nothing", user(map[string]string{"title": "Old"}), nil,
			updated(store.FieldChange{Field: "title", Old: "Old", New: "New"}), nil, 0, 0},
		{"value changed since is a conflict", user(map[string]string{"title": "Edited"}), nil,
			updated(store.FieldChange{Field: "title", Old: "Old", New: "New"}), nil, 1, 0},
		{"a secret's redacted value is never written", user(map[string]string{"apiToken": "x"}), nil,
			updated(store.FieldChange{Field: "apiToken", Old: store.Redacted, New: store.Redacted}), nil, 1, 0},
		{"the same change twice is reversed once", user(map[string]string{"title": "New"}), nil,
			append(updated(store.FieldChange{Field: "title", Old: "Old", New: "New"}), updated(store.FieldChange{Field: "title", Old: "Old", New: "New"})...),
			map[string]string{"title": "Old"}, 0, 0},
		{"removed membership comes back", user(nil), nil,
			updated(store.FieldChange{Field: store.KindGroup, Old: "Eng"}), nil, 0, 1},
		{"membership already back needs nothing", user(nil), []store.Membership{{UserRowID: 1, EntityID: 7, Kind: store.KindGroup, Name: "Eng", Source: "rule:corp"}},
			updated(store.FieldChange{Field: store.KindGroup, Old: "Eng"}), nil, 0, 0},
		{"membership in a deleted entity is a conflict", user(nil), nil,
			updated(store.FieldChange{Field: store.KindGroup, Old: "Gone"}), nil, 1, 0},
		{"status already as before needs nothing", store.User{ID: 1, ExternalID: "e1", UserID: "ann", Status: store.StatusActive}, nil,
			[]store.Outcome{{UserRowID: 1, Action: store.ActionDeactivated, Changes: []store.FieldChange{{Field: "status", Old: "active", New: "inactive"}}}}, nil, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := &undoState{users: map[int64]store.User{1: tc.user}, members: map[int64][]store.Membership{1: tc.members}}
			p, err := PlanUndo(context.Background(), st, run, tc.outs, time.Hour, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Conflicts) != tc.conflicts {
				t.Fatalf("conflicts = %+v, want %d", p.Conflicts, tc.conflicts)
			}
			if len(p.Memberships.Add) != tc.adds {
				t.Fatalf("membership adds = %+v, want %d", p.Memberships.Add, tc.adds)
			}
			switch {
			case tc.fields == nil && len(p.Batch.Updates) != 0:
				t.Fatalf("updates = %+v, want none", p.Batch.Updates)
			case tc.fields != nil && (len(p.Batch.Updates) != 1 || !sameFields(p.Batch.Updates[0].Fields, tc.fields) || p.Batch.Updates[0].Hash != 0):
				t.Fatalf("updates = %+v, want fields %v and hash 0", p.Batch.Updates, tc.fields)
			}
		})
	}
}

func TestPlanUndoDeleted(t *testing.T) {
	run := store.Run{ID: 5, Connection: "corp"}
	outs := []store.Outcome{{UserRowID: 3, ExternalID: "e3", UserID: "cy", Action: store.ActionDeleted}}
	now := time.Now()
	kept := store.DeletedUser{RunID: 5, User: store.User{ID: 3, ExternalID: "e3", UserID: "cy", Status: store.StatusActive}, DeletedAt: now.Add(-2 * time.Hour)}

	st := &undoState{users: map[int64]store.User{}, deleted: map[int64]store.DeletedUser{3: kept}}
	if _, err := PlanUndo(context.Background(), st, run, outs, time.Hour, now); !errors.Is(err, ErrTooLate) {
		t.Fatalf("past the retention: %v, want ErrTooLate", err)
	}
	p, err := PlanUndo(context.Background(), st, run, outs, 3*time.Hour, now)
	if err != nil || len(p.Batch.Creates) != 1 || p.Batch.Creates[0].ID != 0 || p.Batch.Creates[0].UserID != "cy" {
		t.Fatalf("restore: %+v, %v", p, err)
	}
	// A user a later sync created again is a conflict, not a second copy.
	st.users[9] = store.User{ID: 9, ExternalID: "e3", UserID: "cy", Status: store.StatusActive}
	p, err = PlanUndo(context.Background(), st, run, outs, 3*time.Hour, now)
	if err != nil || len(p.Batch.Creates) != 0 || len(p.Conflicts) != 1 {
		t.Fatalf("user back since: %+v, %v", p, err)
	}
}

// A restored user comes back as it was deleted: with its super-user flag
// and its memberships of every source, listed in its outcome; one whose
// entity is gone is a conflict, and the user is restored without it.
func TestPlanUndoDeletedKeepsMemberships(t *testing.T) {
	run := store.Run{ID: 5, Connection: "corp"}
	outs := []store.Outcome{{UserRowID: 3, ExternalID: "e3", UserID: "cy", Action: store.ActionDeleted}}
	now := time.Now()
	kept := store.DeletedUser{RunID: 5, DeletedAt: now.Add(-time.Minute),
		User: store.User{ID: 3, ExternalID: "e3", UserID: "cy", Status: store.StatusActive, SuperUser: true},
		Memberships: []store.Membership{
			{Kind: store.KindGroup, Name: "Eng", Source: store.SourceManual},
			{Kind: store.KindGroup, Name: "Eng", Source: store.RuleSource("corp")},
			{Kind: store.KindSite, Name: "Gone", Source: store.SourceManual},
		}}
	st := &undoState{users: map[int64]store.User{}, deleted: map[int64]store.DeletedUser{3: kept}}
	p, err := PlanUndo(context.Background(), st, run, outs, time.Hour, now)
	if err != nil || len(p.Batch.Creates) != 1 {
		t.Fatalf("restore: %+v, %v", p, err)
	}
	u := p.Batch.Creates[0]
	var got []string
	for _, m := range u.Memberships {
		got = append(got, fmt.Sprintf("%s/%s/%s/%d", m.Kind, m.Name, m.Source, m.EntityID))
	}
	want := []string{"group/Eng/manual/7", "group/Eng/" + store.RuleSource("corp") + "/7"}
	if !u.SuperUser || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("restored user: super %v, memberships %q; want true, %q", u.SuperUser, got, want)
	}
	if len(p.Conflicts) != 1 || p.Conflicts[0].Field != store.KindSite || !strings.Contains(p.Conflicts[0].Now, "no such") {
		t.Fatalf("conflicts: %+v", p.Conflicts)
	}
	var changes []string
	for _, ch := range p.Batch.Outcomes[0].Changes {
		changes = append(changes, ch.Field+":"+ch.Old+">"+ch.New)
	}
	if strings.Join(changes, ",") != "group:>Eng (manual),group:>Eng,superUser:false>true" || p.Counts.MembershipChanges != 1 {
		t.Fatalf("restored outcome's changes: %q, membership changes %d", changes, p.Counts.MembershipChanges)
	}
}

// TestPlanUndoHeldUserID: a user the undo would reactivate, or restore,
// under a userId another active user now holds is a conflict, and the
// rest of the undo goes on.
func TestPlanUndoHeldUserID(t *testing.T) {
	run := store.Run{ID: 5, Connection: "corp"}
	st := &undoState{users: map[int64]store.User{
		1: {ID: 1, ExternalID: "e1", UserID: "ann", Status: store.StatusInactive, Fields: map[string]string{}},
		2: {ID: 2, ExternalID: "e2", UserID: "ANN", Status: store.StatusActive},
		4: {ID: 4, ExternalID: "e4", UserID: "bo", Status: store.StatusInactive, Fields: map[string]string{}},
		6: {ID: 6, ExternalID: "e6", UserID: "cy", Status: store.StatusActive},
	}, deleted: map[int64]store.DeletedUser{3: {User: store.User{ID: 3, ExternalID: "e3", UserID: "Cy", Status: store.StatusActive}, DeletedAt: time.Now()}}}
	deact := []store.FieldChange{{Field: "status", Old: store.StatusActive, New: store.StatusInactive}}
	outs := []store.Outcome{
		{UserRowID: 1, ExternalID: "e1", UserID: "ann", Action: store.ActionDeactivated, Changes: deact},
		{UserRowID: 4, ExternalID: "e4", UserID: "bo", Action: store.ActionDeactivated, Changes: deact},
		{UserRowID: 3, ExternalID: "e3", UserID: "Cy", Action: store.ActionDeleted},
	}
	p, err := PlanUndo(context.Background(), st, run, outs, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Conflicts) != 2 || len(p.Batch.Creates) != 0 || len(p.Batch.Updates) != 1 || p.Batch.Updates[0].ID != 4 {
		t.Fatalf("plan = conflicts %+v, creates %+v, updates %+v", p.Conflicts, p.Batch.Creates, p.Batch.Updates)
	}
}

// TestPlanUndoGuardHoldsOnlyTheStatus: when the deletion guard holds the
// deactivations of an undo, the fields it puts back are written at once
// and recorded as updates; only the status change waits for approval.
func TestPlanUndoGuardHoldsOnlyTheStatus(t *testing.T) {
	run := store.Run{ID: 5, Connection: "corp"}
	st := &undoState{users: map[int64]store.User{}}
	var outs []store.Outcome
	for i := int64(1); i <= 10; i++ {
		st.users[i] = store.User{ID: i, ExternalID: fmt.Sprint("e", i), UserID: fmt.Sprint("u", i), Status: store.StatusActive, Fields: map[string]string{"title": "New"}}
		outs = append(outs, store.Outcome{UserRowID: i, ExternalID: fmt.Sprint("e", i), Action: store.ActionUpdated, Changes: []store.FieldChange{
			{Field: "title", Old: "Old", New: "New"}, {Field: "status", Old: store.StatusInactive, New: store.StatusActive}}})
	}
	p, err := PlanUndo(context.Background(), st, run, outs, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	err = p.Guard(connection.DeletionGuard{MaxCount: 500, MaxPercent: 20, MinCount: 5}, p.Active, 6)
	if !errors.Is(err, ErrGuardTipped) {
		t.Fatalf("Guard = %v, want ErrGuardTipped", err)
	}
	if len(p.Batch.Updates) != 10 || p.Counts.PendingDeactivations != 10 || p.Counts.Updated != 10 {
		t.Fatalf("updates %d, counts %+v", len(p.Batch.Updates), p.Counts)
	}
	for _, u := range p.Batch.Updates {
		if u.Status != store.StatusActive || u.Fields["title"] != "Old" {
			t.Fatalf("held update = %+v, want active with the old title", u)
		}
	}
	pending, updated := 0, 0
	for _, o := range p.Batch.Outcomes {
		switch o.Action {
		case store.ActionPendingDeactivation:
			pending++
		case store.ActionUpdated:
			if len(o.Changes) != 1 || o.Changes[0].Field != "title" {
				t.Fatalf("update outcome = %+v", o)
			}
			updated++
		}
	}
	if pending != 10 || updated != 10 {
		t.Fatalf("%d pending and %d updated outcomes, want 10 and 10", pending, updated)
	}
}

// TestPlanUndoCreatedWithMemberships: a created user's outcome lists what
// the group rules gave it; the undo deactivates the user and takes those
// back with it.
func TestPlanUndoCreatedWithMemberships(t *testing.T) {
	run := store.Run{ID: 5, Connection: "corp"}
	u := store.User{ID: 1, ExternalID: "e1", UserID: "ann", Status: store.StatusActive, SuperUser: true}
	st := &undoState{users: map[int64]store.User{1: u},
		members: map[int64][]store.Membership{1: {{UserRowID: 1, EntityID: 7, Kind: store.KindGroup, Name: "Eng", Source: "rule:corp"}}}}
	outs := []store.Outcome{{RunID: 5, ExternalID: "e1", UserID: "ann", Action: store.ActionCreated, Reason: "",
		Changes: []store.FieldChange{{Field: store.KindGroup, New: "Eng"}, {Field: "superUser", Old: "false", New: "true"}}}}
	p, err := PlanUndo(context.Background(), st, run, outs, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Conflicts) != 0 {
		t.Fatalf("conflicts = %+v", p.Conflicts)
	}
	if len(p.Memberships.Remove) != 1 || p.Memberships.Remove[0].EntityID != 7 || p.Memberships.Remove[0].Source != "rule:corp" {
		t.Fatalf("membership removals = %+v, want Eng from rule:corp", p.Memberships.Remove)
	}
	if len(p.Memberships.SuperUser) != 1 || p.Memberships.SuperUser[0] != (store.SuperUserChange{UserRowID: 1}) {
		t.Fatalf("super-user changes = %+v, want the flag cleared", p.Memberships.SuperUser)
	}
	if len(p.Deactivate) != 1 || len(p.Deactivate[0].Changes) != 3 || p.Counts.MembershipChanges != 1 {
		t.Fatalf("deactivations = %+v, counts %+v; want ann deactivated with three changes", p.Deactivate, p.Counts)
	}
}

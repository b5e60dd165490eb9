package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/events"
	"github.com/usersync/usersync/internal/store"
)

func (r *recorder) ListEvents(ctx context.Context, a1 int64, a2 int) ([]store.Event, error) {
	r.hit("ListEvents")
	return r.Store.ListEvents(ctx, a1, a2)
}

func (r *recorder) LastEventSeq(ctx context.Context) (int64, error) {
	r.hit("LastEventSeq")
	return r.Store.LastEventSeq(ctx)
}

func (r *recorder) PruneEvents(ctx context.Context, a1 time.Time) (int, error) {
	r.hit("PruneEvents")
	return r.Store.PruneEvents(ctx, a1)
}

// allEvents reads the whole feed after seq after.
func allEvents(t *testing.T, s store.Store, after int64) []store.Event {
	t.Helper()
	var out []store.Event
	for {
		es, err := s.ListEvents(context.Background(), after, 3) // small pages cross page boundaries
		if err != nil {
			t.Fatal(err)
		}
		if len(es) == 0 {
			return out
		}
		for _, e := range es {
			if e.Seq <= after {
				t.Fatalf("event %d after %d: not in increasing order", e.Seq, after)
			}
			after = e.Seq
		}
		out = append(out, es...)
	}
}

func kinds(es []store.Event) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Kind
	}
	return out
}

// checkRebuild fails t unless replaying the whole feed gives exactly the
// users and memberships the store holds.
func checkRebuild(t *testing.T, s store.Store) {
	t.Helper()
	r := events.NewReplica()
	for _, e := range allEvents(t, s, 0) {
		if _, err := r.Apply(events.FromStore(e)); err != nil {
			t.Fatal(err)
		}
	}
	want, err := events.Snapshot(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if d := events.Diff(want, r); d != "" {
		t.Fatalf("the feed does not rebuild the store:\n%s", d)
	}
}

// testEventsOfRuns: every change a run makes to a user is an event with the
// run's id, written in the same transaction as the change; a batch that
// fails leaves no event.
func testEventsOfRuns(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.PutConnection(ctx, conn("corp"), ""); err != nil {
		t.Fatal(err)
	}
	if seq, err := s.LastEventSeq(ctx); err != nil || seq != 0 {
		t.Fatalf("LastEventSeq of an empty store = %d, %v", seq, err)
	}
	run := newRun(t, s, "corp")
	err := s.Apply(ctx, store.Batch{RunID: run, Connection: "corp", Creates: []store.User{
		{ExternalID: "dup", UserID: "a", Status: store.StatusActive},
		{ExternalID: "dup", UserID: "b", Status: store.StatusActive},
	}})
	if err == nil {
		t.Fatal("a batch with a duplicate link was accepted")
	}
	if es := allEvents(t, s, 0); len(es) != 0 {
		t.Fatalf("a failed batch left events %v", kinds(es))
	}
	err = s.Apply(ctx, store.Batch{RunID: run, Connection: "corp", Creates: []store.User{
		{ExternalID: "e0", UserID: "ann", Status: store.StatusActive, Fields: map[string]string{"email": "ann@example.com", "title": "Eng"}},
		{ExternalID: "e1", UserID: "bob", Status: store.StatusActive},
		{ExternalID: "e2", UserID: "cy", Status: store.StatusActive, Fields: map[string]string{"quote": `"; DROP TABLE events; --`}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	ix := index(t, s, "corp")
	es := allEvents(t, s, 0)
	if len(es) != 3 {
		t.Fatalf("3 creates gave events %v", kinds(es))
	}
	for _, e := range es {
		if e.Kind != store.EventUserCreated || e.RunID != run || e.Connection != "corp" || e.User == nil || e.At.IsZero() {
			t.Fatalf("create event = %+v", e)
		}
	}
	if u := es[0].User; u.UserID != "ann" || u.Fields["email"] != "ann@example.com" || u.Status != store.StatusActive || u.Source != store.SourceDirectory {
		t.Fatalf("created user in event = %+v", u)
	}
	last := es[2].Seq

	// An update that changes nothing a client sees (only the hash) is no event.
	run2 := newRun(t, s, "corp")
	ann := store.User{ID: ix["e0"].ID, ExternalID: "e0", UserID: "ann", Status: store.StatusActive,
		Fields: map[string]string{"email": "ann@example.com", "title": "Eng"}, Hash: 99}
	if err := s.Apply(ctx, store.Batch{RunID: run2, Connection: "corp", Updates: []store.User{ann}}); err != nil {
		t.Fatal(err)
	}
	if es := allEvents(t, s, last); len(es) != 0 {
		t.Fatalf("a hash-only update gave events %v", kinds(es))
	}
	// A field removed, one changed; a deactivation clearing a field; a
	// reactivation; a deletion.
	ann.Fields = map[string]string{"email": "ann@corp.example"}
	bob := store.User{ID: ix["e1"].ID, ExternalID: "e1", UserID: "bob", Status: store.StatusInactive}
	if err := s.Apply(ctx, store.Batch{RunID: run2, Connection: "corp", Updates: []store.User{ann, bob},
		Deactivate: []int64{ix["e2"].ID}, ClearOnDeactivate: []string{"quote"}}); err != nil {
		t.Fatal(err)
	}
	got := map[int64]store.Event{}
	for _, e := range allEvents(t, s, last) {
		if e.RunID != run2 {
			t.Errorf("event %d has run %d, want %d", e.Seq, e.RunID, run2)
		}
		got[e.UserRowID] = e
	}
	if e := got[ix["e0"].ID]; e.Kind != store.EventUserUpdated || len(e.User.Fields) != 1 || e.User.Fields["email"] != "ann@corp.example" ||
		strings.Join(e.Changed, ",") != "email,title" {
		t.Errorf("update event = %+v, changed %v; want email changed and title removed", e, e.Changed)
	}
	if e := got[ix["e1"].ID]; e.Kind != store.EventUserDeactivated || e.User.Status != store.StatusInactive || len(e.Changed) != 0 {
		t.Errorf("deactivation by update = %+v", e)
	}
	if e := got[ix["e2"].ID]; e.Kind != store.EventUserDeactivated || e.User.Fields["quote"] != "" || strings.Join(e.Changed, ",") != "quote" {
		t.Errorf("deactivation = %+v (the cleared field must be gone)", e)
	}
	last, _ = s.LastEventSeq(ctx)
	bob.Status = store.StatusActive
	if err := s.Apply(ctx, store.Batch{RunID: run2, Connection: "corp", Updates: []store.User{bob}, Delete: []int64{ix["e2"].ID}}); err != nil {
		t.Fatal(err)
	}
	if k := kinds(allEvents(t, s, last)); len(k) != 2 || k[0] != store.EventUserDeleted || k[1] != store.EventUserReactivated {
		t.Fatalf("a deletion and a reactivation gave %v", k)
	}
	checkRebuild(t, s)
}

// testEventsOfOperators: an operator's changes (a field edit, local users,
// memberships by hand, an entity deleted) are events without a run.
func testEventsOfOperators(t *testing.T, s store.Store) {
	ctx := context.Background()
	run, u0, u1, _ := twoUsers(t, s)
	last, err := s.LastEventSeq(ctx)
	if err != nil || last == 0 {
		t.Fatalf("LastEventSeq after two users and a local one = %d, %v", last, err)
	}
	if err := s.SetUserField(ctx, u0, "title", "Boss"); err != nil {
		t.Fatal(err)
	}
	id, err := s.CreateLocalUser(ctx, store.User{UserID: "helper", Fields: map[string]string{"email": "h@example.com"}, PasswordHash: "secret-hash"})
	if err != nil {
		t.Fatal(err)
	}
	// A new password alone is no event, and a password hash is never in one.
	if err := s.UpdateLocalUser(ctx, store.User{ID: id, UserID: "helper", Status: store.StatusActive,
		Fields: map[string]string{"email": "h@example.com"}, PasswordHash: "other-hash"}); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateLocalUser(ctx, store.User{ID: id, UserID: "helper2", Status: store.StatusActive,
		Fields: map[string]string{"email": "h@example.com"}}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"Engineering", "Sales"} {
		if _, err := s.CreateEntity(ctx, store.KindGroup, k); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddMembership(ctx, u0, store.KindGroup, "Engineering", store.SourceManual); err != nil {
		t.Fatal(err)
	}
	// Adding a membership that exists changes nothing and is no event.
	if err := s.AddMembership(ctx, u0, store.KindGroup, "Engineering", store.SourceManual); err != nil {
		t.Fatal(err)
	}
	if err := s.AddMembership(ctx, id, store.KindGroup, "Sales", store.SourceManual); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveMembership(ctx, u0, store.KindGroup, "Engineering", store.SourceManual); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteEntity(ctx, store.KindGroup, "Sales"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteLocalUser(ctx, id); err != nil {
		t.Fatal(err)
	}
	es := allEvents(t, s, last)
	want := []string{store.EventUserUpdated, store.EventUserCreated, store.EventUserUpdated, store.EventMembershipAdded,
		store.EventMembershipAdded, store.EventMembershipRemoved, store.EventMembershipRemoved, store.EventUserDeleted}
	if k := kinds(es); len(k) != len(want) {
		t.Fatalf("operator changes gave %v, want %v", k, want)
	}
	for i, e := range es {
		if e.Kind != want[i] || e.RunID != 0 {
			t.Errorf("event %d = %s run %d, want %s without a run", i, e.Kind, e.RunID, want[i])
		}
	}
	if u := es[0].User; u.ID != u0 || u.Fields["title"] != "Boss" || strings.Join(es[0].Changed, ",") != "title" {
		t.Errorf("field edit event = %+v", u)
	}
	if u := es[2].User; u.UserID != "helper2" || u.Source != store.SourceLocal || u.PasswordHash != "" {
		t.Errorf("local user rename event = %+v", u)
	}
	if m := es[6].Membership; m == nil || m.Name != "Sales" || m.Kind != store.KindGroup || m.UserRowID != id {
		t.Errorf("removal by entity deletion = %+v", es[6])
	}
	// A run's membership batch and super-user flag carry the run.
	eng, _ := s.ListEntities(ctx, store.KindGroup)
	last, _ = s.LastEventSeq(ctx)
	rule := store.RuleSource("corp")
	if err := s.ApplyMemberships(ctx, store.MembershipBatch{RunID: run,
		Add:       []store.Membership{{UserRowID: u1, EntityID: eng[0].ID, Source: rule}},
		SuperUser: []store.SuperUserChange{{UserRowID: u1, SuperUser: true}}}); err != nil {
		t.Fatal(err)
	}
	es = allEvents(t, s, last)
	if len(es) != 2 {
		t.Fatalf("membership batch gave %v", kinds(es))
	}
	for _, e := range es {
		if e.RunID != run || e.Connection != "corp" {
			t.Errorf("membership batch event %+v: want run %d, connection corp", e, run)
		}
		if e.Kind == store.EventUserUpdated && !e.User.SuperUser {
			t.Errorf("super-user event = %+v", e.User)
		}
	}
	// An operator's change after a run is not the run's.
	if err := s.SetUserField(ctx, u1, "title", "x"); err != nil {
		t.Fatal(err)
	}
	if es := allEvents(t, s, es[1].Seq); len(es) != 1 || es[0].RunID != 0 {
		t.Fatalf("edit after a run = %+v", es)
	}
	checkRebuild(t, s)
}

// testEventsPrune: events are kept for a retention; a reader asking for
// events older than what is kept learns it missed some, and sequence
// numbers never go back, even when every event was pruned.
func testEventsPrune(t *testing.T, s store.Store) {
	ctx := context.Background()
	_, u0, _, _ := twoUsers(t, s)
	before, _ := s.LastEventSeq(ctx)
	if n, err := s.PruneEvents(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Fatalf("pruning events older than an hour = %d, %v; want 0", n, err)
	}
	n, err := s.PruneEvents(ctx, time.Now().Add(time.Minute))
	if err != nil || int64(n) != before {
		t.Fatalf("pruning every event = %d, %v; want %d", n, err, before)
	}
	if _, err := s.ListEvents(ctx, 0, 10); !errors.Is(err, store.ErrEventsPruned) {
		t.Fatalf("reading after 0 once events were pruned = %v, want ErrEventsPruned", err)
	}
	if es, err := s.ListEvents(ctx, before, 10); err != nil || len(es) != 0 {
		t.Fatalf("reading after the last pruned = %v, %v", es, err)
	}
	if last, _ := s.LastEventSeq(ctx); last != before {
		t.Fatalf("LastEventSeq after pruning all = %d, want %d", last, before)
	}
	if err := s.SetUserField(ctx, u0, "title", "new"); err != nil {
		t.Fatal(err)
	}
	es, err := s.ListEvents(ctx, before, 10)
	if err != nil || len(es) != 1 || es[0].Seq <= before {
		t.Fatalf("the event after a prune = %+v, %v; want one above %d", es, err, before)
	}
}

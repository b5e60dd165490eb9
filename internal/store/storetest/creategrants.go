package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/usersync/usersync/internal/store"
)

// testApplyCreatesWithMemberships: a user created by Apply gets the
// memberships and the super-user flag it carries in the same transaction,
// even when it takes the external id of a user retired in the same batch;
// the feed shows each user created before its memberships, and a batch that
// fails leaves neither the user nor its memberships.
func testApplyCreatesWithMemberships(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.PutConnection(ctx, conn("corp"), ""); err != nil {
		t.Fatal(err)
	}
	eng := entity(t, s, store.KindPermissionSet, "Engineering")
	berlin := entity(t, s, store.KindSite, "Berlin")
	rule := store.RuleSource("corp")
	grant := func(ids ...int64) []store.Membership {
		ms := make([]store.Membership, len(ids))
		for i, id := range ids {
			ms[i] = store.Membership{EntityID: id, Source: rule}
		}
		return ms
	}
	run := newRun(t, s, "corp")
	if err := s.Apply(ctx, store.Batch{RunID: run, Connection: "corp", Creates: []store.User{active("x", "x-old")}}); err != nil {
		t.Fatal(err)
	}
	old := index(t, s, "corp")["x"].ID
	after, err := s.LastEventSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}

	newX, y := active("x", "x-new"), active("y", "y")
	newX.Memberships, newX.SuperUser = grant(eng.ID), true
	y.Memberships = grant(eng.ID, berlin.ID)
	b := store.Batch{RunID: run, Connection: "corp", Retire: []store.Retirement{{ID: old, ExternalID: store.RetiredExternalID("x", old)}},
		Creates: []store.User{newX, y, active("z", "z")}}
	const bulk = 100 // more rows than one statement carries
	for i := range bulk {
		u := active(fmt.Sprintf("bulk-%d", i), fmt.Sprintf("bulk%d", i))
		u.Memberships = grant(eng.ID)
		b.Creates = append(b.Creates, u)
	}
	if err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}

	ix := index(t, s, "corp")
	holds := func(row int64, want ...string) {
		t.Helper()
		ms, err := s.UserMemberships(ctx, row)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range ms {
			if m.Source != rule {
				t.Errorf("user %d: membership %+v from another source", row, m)
			}
			got = append(got, m.Name)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("user %d holds %v, want %v", row, got, want)
		}
	}
	holds(old)
	holds(ix["x"].ID, "Engineering")
	holds(ix["y"].ID, "Engineering", "Berlin")
	holds(ix["z"].ID)
	holds(ix["bulk-99"].ID, "Engineering")
	all, err := s.SourceMemberships(ctx, rule)
	if err != nil {
		t.Fatal(err)
	}
	if want := 1 + 2 + bulk; len(all) != want {
		t.Fatalf("SourceMemberships holds %d, want %d", len(all), want)
	}
	supers, err := s.SuperUsers(ctx, "corp")
	if err != nil {
		t.Fatal(err)
	}
	if len(supers) != 1 || !supers[ix["x"].ID] {
		t.Fatalf("SuperUsers = %v, want only the new x (%d)", supers, ix["x"].ID)
	}

	created := map[int64]bool{}
	for _, e := range allEvents(t, s, after) {
		if e.RunID != run {
			t.Errorf("event %s of user %d has run %d, want %d", e.Kind, e.UserRowID, e.RunID, run)
		}
		switch e.Kind {
		case "user.created":
			created[e.UserRowID] = true
			if e.UserRowID == ix["x"].ID && (e.User == nil || !e.User.SuperUser) {
				t.Errorf("user.created of the new x = %+v, want it a super user", e.User)
			}
		case "membership.added":
			if !created[e.UserRowID] {
				t.Errorf("membership.added of user %d before its user.created", e.UserRowID)
			}
		}
	}
	if len(created) != 3+bulk {
		t.Errorf("%d user.created events, want %d", len(created), 3+bulk)
	}
	checkRebuild(t, s)

	w := active("w", "w")
	w.Memberships = grant(eng.ID)
	err = s.Apply(ctx, store.Batch{RunID: run, Connection: "corp", Creates: []store.User{w, active("v", "Y")}})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("Apply of a create taking an active userId = %v, want ErrConflict", err)
	}
	if _, ok := index(t, s, "corp")["w"]; ok {
		t.Fatal("a failed batch created a user")
	}
	if again, err := s.SourceMemberships(ctx, rule); err != nil || len(again) != len(all) {
		t.Fatalf("after a failed batch SourceMemberships holds %d (%v), want %d", len(again), err, len(all))
	}
}

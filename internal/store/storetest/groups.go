package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/usersync/usersync/internal/store"
)

func testEntities(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, e := range []struct{ kind, name string }{
		{store.KindPermissionSet, "Engineering"}, {store.KindPermissionSet, "engineering"},
		{store.KindGroup, "Engineering"}, {store.KindSite, "Berlin"}, {store.KindSite, "Aachen"},
	} {
		if _, err := s.CreateEntity(ctx, e.kind, e.name); err != nil {
			t.Fatalf("CreateEntity(%s, %s): %v", e.kind, e.name, err)
		}
	}
	if _, err := s.CreateEntity(ctx, store.KindPermissionSet, "Engineering"); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate CreateEntity = %v, want ErrConflict", err)
	}
	sites, err := s.ListEntities(ctx, store.KindSite)
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) != 2 || sites[0].Name != "Aachen" || sites[1].Name != "Berlin" || sites[0].ID == 0 {
		t.Fatalf("ListEntities(site) = %+v", sites)
	}
	all, err := s.ListEntities(ctx, "")
	if err != nil || len(all) != 5 {
		t.Fatalf("ListEntities(\"\") = %+v, %v", all, err)
	}
	if err := s.DeleteEntity(ctx, store.KindSite, "Aachen"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteEntity(ctx, store.KindSite, "Aachen"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second DeleteEntity = %v, want ErrNotFound", err)
	}
}

// twoUsers creates a connection "corp" with directory users ext-0 and ext-1
// and a local user, and returns their row ids.
func twoUsers(t *testing.T, s store.Store) (run, u0, u1, local int64) {
	t.Helper()
	ctx := context.Background()
	if err := s.PutConnection(ctx, conn("corp"), ""); err != nil {
		t.Fatal(err)
	}
	run = newRun(t, s, "corp")
	b := store.Batch{RunID: run, Connection: "corp"}
	for i := range 2 {
		b.Creates = append(b.Creates, store.User{ExternalID: fmt.Sprintf("ext-%d", i), UserID: fmt.Sprintf("u%d", i), Status: store.StatusActive})
	}
	if err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	ix := index(t, s, "corp")
	local, err := s.CreateLocalUser(ctx, store.User{UserID: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	return run, ix["ext-0"].ID, ix["ext-1"].ID, local
}

func testMemberships(t *testing.T, s store.Store) {
	ctx := context.Background()
	run, u0, u1, local := twoUsers(t, s)
	eng := entity(t, s, store.KindPermissionSet, "Engineering")
	berlin := entity(t, s, store.KindSite, "Berlin")
	rule := store.RuleSource("corp")
	if err := s.AddMembership(ctx, u0, store.KindPermissionSet, "Engineering", store.SourceManual); err != nil {
		t.Fatal(err)
	}
	if err := s.AddMembership(ctx, u0, store.KindPermissionSet, "Engineering", store.SourceManual); err != nil {
		t.Fatalf("adding an existing membership again = %v, want nil", err)
	}
	if err := s.AddMembership(ctx, u0, store.KindPermissionSet, "Nope", store.SourceManual); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("AddMembership(unknown entity) = %v, want ErrNotFound", err)
	}
	if err := s.AddMembership(ctx, 99999, store.KindPermissionSet, "Engineering", store.SourceManual); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("AddMembership(unknown user) = %v, want ErrNotFound", err)
	}
	err := s.ApplyMemberships(ctx, store.MembershipBatch{RunID: run,
		Add: []store.Membership{
			{UserRowID: u0, EntityID: eng.ID, Source: rule},
			{UserRowID: u1, EntityID: eng.ID, Source: rule},
			{UserRowID: u1, EntityID: berlin.ID, Source: rule},
		},
		SuperUser: []store.SuperUserChange{{UserRowID: u1, SuperUser: true}, {UserRowID: local, SuperUser: true}},
		Outcomes: []store.Outcome{{RunID: run, UserRowID: u1, UserID: "u1", Action: store.ActionUpdated,
			Changes: []store.FieldChange{{Field: "permissionSet", New: "Engineering"}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.SourceMemberships(ctx, rule)
	if err != nil || len(got) != 3 {
		t.Fatalf("SourceMemberships = %+v, %v", got, err)
	}
	for _, m := range got {
		if m.Source != rule || m.Name == "" || m.Kind == "" {
			t.Fatalf("SourceMemberships row = %+v", m)
		}
	}
	mine, err := s.UserMemberships(ctx, u0)
	if err != nil || len(mine) != 2 || mine[0].Source != store.SourceManual || mine[1].Source != rule {
		t.Fatalf("UserMemberships(u0) = %+v, %v (want manual and rule, in that order)", mine, err)
	}
	supers, err := s.SuperUsers(ctx, "corp")
	if err != nil || len(supers) != 1 || !supers[u1] {
		t.Fatalf("SuperUsers = %v, %v (local users are never changed)", supers, err)
	}
	if u, _ := s.GetUser(ctx, u1); !u.SuperUser {
		t.Fatalf("GetUser(u1).SuperUser = false")
	}
	outs, err := s.ListOutcomes(ctx, run, store.OutcomeQuery{})
	if err != nil || len(outs) != 1 || len(outs[0].Changes) != 1 {
		t.Fatalf("outcomes = %+v, %v", outs, err)
	}
	// A rule removal leaves the manual membership in place.
	err = s.ApplyMemberships(ctx, store.MembershipBatch{RunID: run,
		Remove:    []store.Membership{{UserRowID: u0, EntityID: eng.ID, Source: rule}},
		SuperUser: []store.SuperUserChange{{UserRowID: u1, SuperUser: false}}})
	if err != nil {
		t.Fatal(err)
	}
	if mine, _ := s.UserMemberships(ctx, u0); len(mine) != 1 || mine[0].Source != store.SourceManual {
		t.Fatalf("after rule removal UserMemberships(u0) = %+v", mine)
	}
	if supers, _ := s.SuperUsers(ctx, "corp"); len(supers) != 0 {
		t.Fatalf("SuperUsers after clearing = %v", supers)
	}
	if err := s.RemoveMembership(ctx, u0, store.KindPermissionSet, "Engineering", store.SourceManual); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveMembership(ctx, u0, store.KindPermissionSet, "Engineering", store.SourceManual); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second RemoveMembership = %v, want ErrNotFound", err)
	}
	// Deleting an entity removes its memberships.
	if err := s.DeleteEntity(ctx, store.KindSite, "Berlin"); err != nil {
		t.Fatal(err)
	}
	if mine, _ := s.UserMemberships(ctx, u1); len(mine) != 1 || mine[0].Name != "Engineering" {
		t.Fatalf("after deleting Berlin UserMemberships(u1) = %+v", mine)
	}
}

func testApplyMembershipsIsAtomic(t *testing.T, s store.Store) {
	ctx := context.Background()
	run, u0, _, _ := twoUsers(t, s)
	eng := entity(t, s, store.KindGroup, "Engineering")
	err := s.ApplyMemberships(ctx, store.MembershipBatch{RunID: run,
		Add: []store.Membership{{UserRowID: u0, EntityID: eng.ID, Source: "rule:corp"}, {UserRowID: u0, EntityID: 424242, Source: "rule:corp"}}})
	if err == nil {
		t.Fatal("ApplyMemberships with an unknown entity succeeded")
	}
	if got, _ := s.SourceMemberships(ctx, "rule:corp"); len(got) != 0 {
		t.Fatalf("a failed batch left %+v", got)
	}
}

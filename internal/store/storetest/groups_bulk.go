package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/usersync/usersync/internal/store"
)

// testApplyMembershipsBulk adds more memberships in one batch than a store
// writes in one statement, with every one of them listed twice and one
// already present, and expects each exactly once.
func testApplyMembershipsBulk(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.PutConnection(ctx, conn("corp"), ""); err != nil {
		t.Fatal(err)
	}
	run := newRun(t, s, "corp")
	const users = 150
	b := store.Batch{RunID: run, Connection: "corp"}
	for i := range users {
		b.Creates = append(b.Creates, store.User{ExternalID: fmt.Sprintf("ext-%d", i), UserID: fmt.Sprintf("u%d", i), Status: store.StatusActive})
	}
	if err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	ix := index(t, s, "corp")
	sales := entity(t, s, store.KindGroup, "Sales")
	staff := entity(t, s, store.KindGroup, "Staff")
	rule := store.RuleSource("corp")
	first := store.Membership{UserRowID: ix["ext-0"].ID, EntityID: staff.ID, Source: rule}
	if err := s.ApplyMemberships(ctx, store.MembershipBatch{RunID: run, Add: []store.Membership{first}}); err != nil {
		t.Fatal(err)
	}
	var add []store.Membership
	for i := range users {
		row := ix[fmt.Sprintf("ext-%d", i)].ID
		add = append(add, store.Membership{UserRowID: row, EntityID: staff.ID, Source: rule})
		if i%2 == 0 {
			add = append(add, store.Membership{UserRowID: row, EntityID: sales.ID, Source: rule})
		}
	}
	add = append(add, add...)
	if err := s.ApplyMemberships(ctx, store.MembershipBatch{RunID: run, Add: add}); err != nil {
		t.Fatalf("ApplyMemberships of %d rows with duplicates: %v", len(add), err)
	}
	got, err := s.SourceMemberships(ctx, rule)
	if err != nil {
		t.Fatal(err)
	}
	if want := users + users/2; len(got) != want {
		t.Fatalf("SourceMemberships holds %d, want %d", len(got), want)
	}
	seen := map[[2]int64]bool{}
	for _, m := range got {
		k := [2]int64{m.UserRowID, m.EntityID}
		if seen[k] {
			t.Fatalf("membership %+v stored twice", m)
		}
		seen[k] = true
	}
}

// testRuleHoldings: the memberships from one source of one connection's
// directory users, with their external ids; nothing from another source,
// another connection or a local user.
func testRuleHoldings(t *testing.T, s store.Store) {
	ctx := context.Background()
	run, u0, u1, local := twoUsers(t, s)
	if err := s.PutConnection(ctx, conn("other"), ""); err != nil {
		t.Fatal(err)
	}
	orun := newRun(t, s, "other")
	if err := s.Apply(ctx, store.Batch{RunID: orun, Connection: "other",
		Creates: []store.User{{ExternalID: "ext-0", UserID: "o0", Status: store.StatusActive}}}); err != nil {
		t.Fatal(err)
	}
	o0 := index(t, s, "other")["ext-0"].ID
	sales := entity(t, s, store.KindGroup, "Sales")
	staff := entity(t, s, store.KindPermissionSet, "Staff")
	rule := store.RuleSource("corp")
	if got, err := s.RuleHoldings(ctx, "corp", rule); err != nil || len(got) != 0 {
		t.Fatalf("RuleHoldings of an empty store = %+v, %v", got, err)
	}
	err := s.ApplyMemberships(ctx, store.MembershipBatch{RunID: run, Add: []store.Membership{
		{UserRowID: u1, EntityID: staff.ID, Source: rule},
		{UserRowID: u1, EntityID: sales.ID, Source: rule},
		{UserRowID: u0, EntityID: sales.ID, Source: store.SourceManual},
		{UserRowID: o0, EntityID: sales.ID, Source: rule}, // another connection's user under this source
		{UserRowID: local, EntityID: sales.ID, Source: rule},
	}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.RuleHoldings(ctx, "corp", rule)
	if err != nil {
		t.Fatal(err)
	}
	want := map[store.Holding]bool{{UserRowID: u1, ExternalID: "ext-1", EntityID: staff.ID}: true, {UserRowID: u1, ExternalID: "ext-1", EntityID: sales.ID}: true}
	if len(got) != len(want) {
		t.Fatalf("RuleHoldings = %+v, want %v", got, want)
	}
	for _, h := range got {
		if !want[h] {
			t.Fatalf("RuleHoldings = %+v, want %v", got, want)
		}
	}
}

package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/usersync/usersync/internal/store"
)

// testLookupIndex: the entries of exactly the named external ids of one
// connection, equal to what ScanIndex gives for them, also when the ids
// are more than one statement binds.
func testLookupIndex(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, c := range []string{"corp", "other"} {
		if err := s.PutConnection(ctx, conn(c), ""); err != nil {
			t.Fatal(err)
		}
	}
	run := newRun(t, s, "corp")
	b := store.Batch{RunID: run, Connection: "corp"}
	for i := range 1200 {
		st := store.StatusActive
		if i%3 == 0 {
			st = store.StatusInactive
		}
		b.Creates = append(b.Creates, store.User{ExternalID: fmt.Sprintf("ext-%d", i), UserID: fmt.Sprintf("u%d", i), Status: st, Hash: uint64(i) * 7919})
	}
	if err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	other := newRun(t, s, "other")
	if err := s.Apply(ctx, store.Batch{RunID: other, Connection: "other", Creates: []store.User{{ExternalID: "only-other", UserID: "zed", Status: store.StatusActive}}}); err != nil {
		t.Fatal(err)
	}
	all := index(t, s, "corp")
	var odd []string
	for i := 1; i < 1200; i += 2 {
		odd = append(odd, fmt.Sprintf("ext-%d", i))
	}
	tests := []struct {
		name string
		exts []string
		want []string
	}{
		{"none", nil, nil},
		{"some, an unknown id, another connection's and a different case", []string{"ext-0", "ext-5", "nobody", "only-other", "EXT-1"}, []string{"ext-0", "ext-5"}},
		{"more than one statement binds", odd, odd},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.LookupIndex(ctx, "corp", tt.exts)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("LookupIndex gave %d entries, want %d", len(got), len(tt.want))
			}
			wanted := map[string]bool{}
			for _, w := range tt.want {
				wanted[w] = true
			}
			for _, e := range got {
				want, ok := all[e.ExternalID]
				if !ok || !wanted[e.ExternalID] {
					t.Fatalf("LookupIndex gave %+v, not asked for", e)
				}
				if e.ID != want.ID || e.UserID != want.UserID || e.Status != want.Status || e.Hash != want.Hash || !e.InactiveSince.Equal(want.InactiveSince) {
					t.Errorf("LookupIndex gave %+v, ScanIndex %+v", e, want)
				}
				delete(wanted, e.ExternalID)
			}
		})
	}
}

// testRuleHoldingsOf: RuleHoldings restricted to the named users of one
// connection; a named user of another connection, a user not named and
// another source's memberships are left out.
func testRuleHoldingsOf(t *testing.T, s store.Store) {
	ctx := context.Background()
	run, u0, u1, local := twoUsers(t, s)
	if err := s.PutConnection(ctx, conn("other"), ""); err != nil {
		t.Fatal(err)
	}
	orun := newRun(t, s, "other")
	if err := s.Apply(ctx, store.Batch{RunID: orun, Connection: "other",
		Creates: []store.User{{ExternalID: "ext-1", UserID: "o1", Status: store.StatusActive}}}); err != nil {
		t.Fatal(err)
	}
	o1 := index(t, s, "other")["ext-1"].ID
	sales := entity(t, s, store.KindGroup, "Sales")
	staff := entity(t, s, store.KindPermissionSet, "Staff")
	rule := store.RuleSource("corp")
	err := s.ApplyMemberships(ctx, store.MembershipBatch{RunID: run, Add: []store.Membership{
		{UserRowID: u0, EntityID: sales.ID, Source: rule},
		{UserRowID: u1, EntityID: staff.ID, Source: rule},
		{UserRowID: u1, EntityID: sales.ID, Source: rule},
		{UserRowID: u1, EntityID: sales.ID, Source: store.SourceManual},
		{UserRowID: o1, EntityID: sales.ID, Source: rule}, // another connection's user with the same external id
		{UserRowID: local, EntityID: sales.ID, Source: rule},
	}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		exts []string
		want []store.Holding
	}{
		{"none", nil, nil},
		{"one user", []string{"ext-1", "nobody"}, []store.Holding{{UserRowID: u1, ExternalID: "ext-1", EntityID: staff.ID}, {UserRowID: u1, ExternalID: "ext-1", EntityID: sales.ID}}},
		{"both users", []string{"ext-0", "ext-1"}, []store.Holding{{UserRowID: u0, ExternalID: "ext-0", EntityID: sales.ID},
			{UserRowID: u1, ExternalID: "ext-1", EntityID: staff.ID}, {UserRowID: u1, ExternalID: "ext-1", EntityID: sales.ID}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.RuleHoldingsOf(ctx, "corp", rule, tt.exts)
			if err != nil {
				t.Fatal(err)
			}
			want := map[store.Holding]bool{}
			for _, h := range tt.want {
				want[h] = true
			}
			if len(got) != len(want) {
				t.Fatalf("RuleHoldingsOf = %+v, want %+v", got, tt.want)
			}
			for _, h := range got {
				if !want[h] {
					t.Fatalf("RuleHoldingsOf = %+v, want %+v", got, tt.want)
				}
			}
		})
	}
}

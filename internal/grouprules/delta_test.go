package grouprules

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/store/sqlite"
)

// deltaStore counts, on top of countingStore, the rule memberships read
// for named users.
type deltaStore struct {
	countingStore
	held int
}

func (d *deltaStore) RuleHoldingsOf(ctx context.Context, conn, source string, exts []string) ([]store.Holding, error) {
	hs, err := d.countingStore.Store.RuleHoldingsOf(ctx, conn, source, exts)
	d.held += len(hs)
	return hs, err
}

// deltaRun is the group phase of a run that reads only changes: it
// observes the users in observe and sees the users in leave leave.
func deltaRun(t *testing.T, st Store, c connection.Connection, run int64, sales, observe, leave []int) *reconcile.Report {
	t.Helper()
	ctx := context.Background()
	members := make([]string, 0, len(sales))
	for _, i := range sales {
		members = append(members, userDN(i))
	}
	dir := groupDir{groups: []*directory.Entry{{DN: "cn=Sales,ou=groups,dc=example,dc=com",
		Attrs: map[string][]string{"cn": {"Sales"}, "member": members}}}}
	p := NewPhase(st, dir, c, directory.FlavorOpenLDAP)
	p.DeferHeld()
	if err := p.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	if err := p.Begin(ctx, true); err != nil {
		t.Fatal(err)
	}
	for _, i := range observe {
		p.Observe(fmt.Sprintf("ext-%d", i), fmt.Sprintf("u%d", i), &directory.Entry{DN: userDN(i)})
	}
	for _, i := range leave {
		p.Leave(fmt.Sprintf("ext-%d", i), fmt.Sprintf("u%d", i))
	}
	rep := &reconcile.Report{}
	rep.ID = run
	if err := p.Finish(ctx, rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

// The group phase of a run that reads only changes reads the rule
// memberships of the users it observes or sees leave, never all of them,
// and scans no index; the users it does not see keep their memberships,
// and the observed ones end as a full run would leave them.
func TestDeltaReadsOnlyObservedUsers(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c := connection.Connection{Name: "corp", DNSName: "ldap.example.com", SearchPath: "ou=people,dc=example,dc=com", Username: "cn=admin"}
	c.ApplyDefaults()
	if err := db.PutConnection(ctx, c, ""); err != nil {
		t.Fatal(err)
	}
	run, err := db.CreateRun(ctx, store.Run{Connection: "corp", Trigger: store.TriggerManual, Mode: store.ModeFull, Status: store.RunRunning})
	if err != nil {
		t.Fatal(err)
	}
	b := store.Batch{RunID: run, Connection: "corp"}
	for i := 1; i <= 6; i++ {
		b.Creates = append(b.Creates, store.User{ExternalID: fmt.Sprintf("ext-%d", i), UserID: fmt.Sprintf("u%d", i), Status: store.StatusActive})
	}
	if err := db.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateEntity(ctx, store.KindGroup, "Sales"); err != nil {
		t.Fatal(err)
	}
	members := func() []string {
		t.Helper()
		ms, err := db.SourceMemberships(ctx, store.RuleSource("corp"))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range ms {
			u, err := db.GetUser(ctx, m.UserRowID)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, u.UserID)
		}
		slices.Sort(out)
		return out
	}
	if rep := phaseRun(t, db, c, run, []int{1, 2, 4, 5}, 6); rep.MembershipChanges != 4 {
		t.Fatalf("full run made %d changes, want 4", rep.MembershipChanges)
	}
	tests := []struct {
		name             string
		sales            []int
		observe, leave   []int
		want             []string
		changes, maxHeld int
	}{
		{"nothing changed for the observed users", []int{1, 2, 4, 5}, []int{2, 3}, nil, []string{"u1", "u2", "u4", "u5"}, 0, 1},
		// u2 is no longer in the group, u3 now is, u4 left the directory;
		// u1 and u5 are not in the delta and keep theirs. The group itself
		// is read whole, as for every run.
		{"moves and a leaver", []int{1, 3, 5}, []int{2, 3}, []int{4}, []string{"u1", "u3", "u5"}, 3, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := &deltaStore{countingStore: countingStore{Store: db}}
			rep := deltaRun(t, cs, c, run, tt.sales, tt.observe, tt.leave)
			if got := members(); !slices.Equal(got, tt.want) || rep.MembershipChanges != tt.changes {
				t.Fatalf("members %v, %d changes; want %v, %d", got, rep.MembershipChanges, tt.want, tt.changes)
			}
			if cs.scans != 0 || cs.memberships != 0 || cs.held > tt.maxHeld {
				t.Fatalf("%d index scans, %d whole membership reads, %d memberships of named users read; want 0, 0, at most %d",
					cs.scans, cs.memberships, cs.held, tt.maxHeld)
			}
		})
	}
}

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

// countingStore counts the phase's whole-table reads of a real store.
type countingStore struct {
	Store
	scans, memberships int
}

func (c *countingStore) ScanIndex(ctx context.Context, conn string, fn func(store.IndexEntry) error) error {
	c.scans++
	return c.Store.ScanIndex(ctx, conn, fn)
}

func (c *countingStore) RuleHoldings(ctx context.Context, conn, source string) ([]store.Holding, error) {
	c.memberships++
	return c.Store.RuleHoldings(ctx, conn, source)
}

func (c *countingStore) SourceMemberships(ctx context.Context, source string) ([]store.Membership, error) {
	c.memberships++
	return c.Store.SourceMemberships(ctx, source)
}

// groupDir is a directory of fixed groups.
type groupDir struct{ groups []*directory.Entry }

func (d groupDir) Search(_ context.Context, _ directory.Query, fn func(*directory.Entry) error) error {
	for _, g := range d.groups {
		if err := fn(g); err != nil {
			return err
		}
	}
	return nil
}
func (groupDir) Close() error { return nil }

func userDN(i int) string { return fmt.Sprintf("uid=u%d,ou=people,dc=example,dc=com", i) }

// phaseRun is one run of the phase over users 1..n, of whom leave left.
func phaseRun(t *testing.T, st Store, c connection.Connection, run int64, sales []int, n int, leave ...int) *reconcile.Report {
	t.Helper()
	ctx := context.Background()
	members := make([]string, 0, len(sales))
	for _, i := range sales {
		members = append(members, userDN(i))
	}
	dir := groupDir{groups: []*directory.Entry{{DN: "cn=Sales,ou=groups,dc=example,dc=com",
		Attrs: map[string][]string{"cn": {"Sales"}, "member": members}}}}
	p := NewPhase(st, dir, c, directory.FlavorOpenLDAP)
	if err := p.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		ext := fmt.Sprintf("ext-%d", i)
		if slices.Contains(leave, i) {
			p.Leave(ext, fmt.Sprintf("u%d", i))
			continue
		}
		p.Observe(ext, fmt.Sprintf("u%d", i), &directory.Entry{DN: userDN(i)})
	}
	rep := &reconcile.Report{}
	rep.ID = run
	if err := p.Finish(ctx, rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

// Finish diffs against what Prepare read: only this phase writes rule
// memberships and the run holds the connection's lease, so reading the
// memberships and scanning the index a second time is wasted work on every
// run (120,000 rows of each at 100,000 users with groups); and the users
// holding memberships come with their external ids, so that an unchanged
// run scans no index at all. The answers must
// stay those of a fresh read, for users who keep, gain and lose memberships
// and for a user who left.
func TestFinishReusesPrepareReads(t *testing.T) {
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
	for i := 1; i <= 4; i++ {
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

	first := &countingStore{Store: db}
	rep := phaseRun(t, first, c, run, []int{1, 2, 4}, 4)
	if got := members(); !slices.Equal(got, []string{"u1", "u2", "u4"}) || rep.MembershipChanges != 3 {
		t.Fatalf("first run: members %v, %d changes; want u1 u2 u4, 3", got, rep.MembershipChanges)
	}

	same := &countingStore{Store: db}
	rep = phaseRun(t, same, c, run, []int{1, 2, 4}, 4)
	if rep.MembershipChanges != 0 {
		t.Fatalf("unchanged run made %d changes", rep.MembershipChanges)
	}
	if same.scans != 0 || same.memberships != 1 {
		t.Errorf("unchanged run: %d index scans and %d membership reads, want 0 and 1", same.scans, same.memberships)
	}

	// u2 leaves the group, u3 joins it, u4 leaves the directory.
	moved := &countingStore{Store: db}
	rep = phaseRun(t, moved, c, run, []int{1, 3}, 4, 4)
	if got := members(); !slices.Equal(got, []string{"u1", "u3"}) || rep.MembershipChanges != 3 {
		t.Fatalf("after moves: members %v, %d changes; want u1 u3, 3", got, rep.MembershipChanges)
	}
	if moved.memberships != 1 {
		t.Errorf("run with moves read the memberships %d times, want 1", moved.memberships)
	}
}

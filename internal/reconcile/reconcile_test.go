package reconcile_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/store/sqlite"
)

// fakeDir is an in-memory directory for fast planner tests; the real-server
// tests live in cmd/usersync and internal/directory/ldap.
type fakeDir struct {
	entries []*directory.Entry
	failAt  int // return an error after this many entries (0: never)
}

func (d *fakeDir) Search(ctx context.Context, _ directory.Query, fn func(*directory.Entry) error) error {
	for i, e := range d.entries {
		if d.failAt > 0 && i == d.failAt {
			return errors.New("connection reset by peer")
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

func (d *fakeDir) Close() error { return nil }

func person(i int, attrs ...string) *directory.Entry {
	e := &directory.Entry{DN: fmt.Sprintf("uid=u%d,ou=people", i), Attrs: map[string][]string{
		"entryuuid": {fmt.Sprintf("uuid-%d", i)}, "uid": {fmt.Sprintf("u%d", i)},
		"mail": {fmt.Sprintf("u%d@example.com", i)}, "sn": {fmt.Sprintf("Family%d", i)},
	}}
	for j := 0; j+1 < len(attrs); j += 2 {
		e.Attrs[attrs[j]] = []string{attrs[j+1]}
	}
	return e
}

func people(n int) []*directory.Entry {
	out := make([]*directory.Entry, n)
	for i := range out {
		out[i] = person(i + 1)
	}
	return out
}

type harness struct {
	t   *testing.T
	st  store.Store
	eng *reconcile.Engine
	c   connection.Connection
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := connection.Connection{Name: "corp", DNSName: "x", SearchPath: "ou=people"}
	c.ApplyDefaults()
	if err := st.PutConnection(context.Background(), c, ""); err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, st: st, eng: &reconcile.Engine{Store: st}, c: c}
}

func (h *harness) run(ctx context.Context, d *fakeDir, dry bool) (*reconcile.Report, error) {
	h.t.Helper()
	m, err := mapping.Compile(mapping.InetOrgPerson())
	if err != nil {
		h.t.Fatal(err)
	}
	return h.eng.Run(ctx, reconcile.Job{Conn: h.c, Dir: d, Flavor: directory.FlavorOpenLDAP, Mapper: m,
		LinkingKey: "entryUUID", DryRun: dry})
}

func (h *harness) active() int {
	h.t.Helper()
	us, err := h.st.ListUsers(context.Background(), store.UserQuery{Status: store.StatusActive})
	if err != nil {
		h.t.Fatal(err)
	}
	return len(us)
}

func TestPartialReadDeactivatesNobody(t *testing.T) {
	h := newHarness(t)
	if _, err := h.run(context.Background(), &fakeDir{entries: people(5000)}, false); err != nil {
		t.Fatal(err)
	}
	// The read breaks after 3000 entries: the 2000 unread users must stay.
	rep, err := h.run(context.Background(), &fakeDir{entries: people(5000), failAt: 3000}, false)
	if err == nil || rep.Status != store.RunFailed || rep.Deactivated != 0 {
		t.Fatalf("partial read: %v %+v", err, rep.Run)
	}
	if n := h.active(); n != 5000 {
		t.Fatalf("%d active after a partial read, want 5000", n)
	}
}

func TestCancelledRunDeactivatesNobody(t *testing.T) {
	h := newHarness(t)
	if _, err := h.run(context.Background(), &fakeDir{entries: people(3000)}, false); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err := h.run(ctx, &fakeDir{entries: people(10)}, false)
	if err == nil || rep.Deactivated != 0 {
		t.Fatalf("cancelled run: %v %+v", err, rep)
	}
	if n := h.active(); n != 3000 {
		t.Fatalf("%d active after a cancelled run, want 3000", n)
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	h := newHarness(t)
	rep, err := h.run(context.Background(), &fakeDir{entries: people(50)}, true)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created != 50 || len(rep.Plan) != 50 || rep.ID != 0 {
		t.Fatalf("dry run report: created %d, plan %d, id %d", rep.Created, len(rep.Plan), rep.ID)
	}
	if n := h.active(); n != 0 {
		t.Fatalf("dry run wrote %d users", n)
	}
	if runs, _ := h.st.ListRuns(context.Background(), store.RunQuery{}); len(runs) != 0 {
		t.Fatalf("dry run recorded %d runs", len(runs))
	}
}

func TestPlanOutcomes(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	if _, err := h.run(ctx, &fakeDir{entries: people(10)}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := h.st.CreateLocalUser(ctx, store.User{UserID: "U11"}); err != nil {
		t.Fatal(err)
	}
	entries := people(10)
	entries[0] = person(1, "mail", "")                 // cleared mail: kept, not an update
	entries[1] = person(2, "mail", "new2@example.com") // changed
	entries = append(entries,
		person(11), // collides with local user U11
		&directory.Entry{DN: "uid=nolink", Attrs: map[string][]string{"uid": {"x"}}}, // no entryUUID
		person(12, "uid", ""), // no userId
		person(3),             // duplicate link
	)
	rep, err := h.run(ctx, &fakeDir{entries: entries}, true)
	if err != nil {
		t.Fatal(err)
	}
	want := store.Counts{Updated: 1, Unchanged: 9, Skipped: 3, Failed: 1, EntriesRead: 14}
	if rep.Counts != want {
		t.Fatalf("counts = %+v, want %+v", rep.Counts, want)
	}
	byAction := map[string][]store.Outcome{}
	for _, o := range rep.Plan {
		byAction[o.Action] = append(byAction[o.Action], o)
	}
	if u := byAction[store.ActionUpdated]; len(u) != 1 || u[0].Changes[0] != (store.FieldChange{Field: "email", Old: "u2@example.com", New: "new2@example.com"}) {
		t.Fatalf("update outcome = %+v", u)
	}
	if len(byAction[store.ActionSkipped]) != 3 || len(byAction[store.ActionFailed]) != 1 {
		t.Fatalf("outcomes = %+v", byAction)
	}
}

func TestGuardTrips(t *testing.T) {
	tests := []struct {
		g         connection.DeletionGuard
		n, active int
		want      bool
	}{
		{connection.DeletionGuard{MaxCount: 500, MaxPercent: 20}, 0, 10, false},
		{connection.DeletionGuard{MaxCount: 500, MaxPercent: 20}, 2, 10, false},
		{connection.DeletionGuard{MaxCount: 500, MaxPercent: 20}, 3, 10, true},
		{connection.DeletionGuard{MaxCount: 500, MaxPercent: 20}, 501, 100000, true},
		{connection.DeletionGuard{MaxCount: 500, MaxPercent: 20}, 500, 100000, false},
		{connection.DeletionGuard{Disabled: true, MaxCount: 1, MaxPercent: 1}, 100, 100, false},
	}
	for _, tt := range tests {
		if got := tt.g.Trips(tt.n, tt.active); got != tt.want {
			t.Errorf("%+v.Trips(%d, %d) = %v, want %v", tt.g, tt.n, tt.active, got, tt.want)
		}
	}
}

func TestGuardHoldsAndCountsPending(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	if _, err := h.run(ctx, &fakeDir{entries: people(100)}, false); err != nil {
		t.Fatal(err)
	}
	rep, err := h.run(ctx, &fakeDir{entries: people(70)}, false)
	if !errors.Is(err, reconcile.ErrGuardTipped) || rep.Status != store.RunAwaitingApproval || rep.PendingDeactivations != 30 {
		t.Fatalf("guard: %v %+v", err, rep.Run)
	}
	if n := h.active(); n != 100 {
		t.Fatalf("%d active while held, want 100", n)
	}
	pend, _ := h.st.ListOutcomes(ctx, rep.ID, store.OutcomeQuery{Action: store.ActionPendingDeactivation})
	if len(pend) != 30 {
		t.Fatalf("%d pending outcomes, want 30", len(pend))
	}
	// Below the guard, deactivation goes ahead.
	rep, err = h.run(ctx, &fakeDir{entries: people(90)}, false)
	if err != nil || rep.Deactivated != 10 {
		t.Fatalf("small deactivation: %v %+v", err, rep.Run)
	}
}

// TestDisabledAccountsWaitForACompleteRead: an account the directory marks
// disabled is deactivated only once the whole read succeeded.
func TestDisabledAccountsWaitForACompleteRead(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	run := func(entries []*directory.Entry, failAt int) (*reconcile.Report, error) {
		m, err := mapping.Compile(mapping.ActiveDirectory())
		if err != nil {
			t.Fatal(err)
		}
		return h.eng.Run(ctx, reconcile.Job{Conn: h.c, Dir: &fakeDir{entries: entries, failAt: failAt}, Flavor: directory.FlavorActiveDirectory,
			Mapper: m, LinkingKey: "objectGUID"})
	}
	ad := func(n int, disabled ...int) []*directory.Entry {
		out := make([]*directory.Entry, n)
		for i := range out {
			uac := "512"
			for _, d := range disabled {
				if d == i {
					uac = "514"
				}
			}
			out[i] = &directory.Entry{DN: fmt.Sprintf("CN=u%d", i), Attrs: map[string][]string{"objectguid": {fmt.Sprintf("g%d", i)},
				"userprincipalname": {fmt.Sprintf("u%d@example.test", i)}, "displayname": {fmt.Sprintf("U %d", i)}, "useraccountcontrol": {uac}}}
		}
		return out
	}
	if rep, err := run(ad(600), 0); err != nil || rep.Created != 600 {
		t.Fatalf("first run: %v %+v", err, rep)
	}
	rep, err := run(ad(600, 3, 4), 500)
	if err == nil || rep.Deactivated != 0 {
		t.Fatalf("failed read: %v, deactivated %d", err, rep.Deactivated)
	}
	if n := h.active(); n != 600 {
		t.Fatalf("%d active after a failed read with disabled accounts, want 600", n)
	}
	rep, err = run(ad(600, 3, 4), 0)
	if err != nil || rep.Deactivated != 2 {
		t.Fatalf("complete read: %v %+v", err, rep.Run)
	}
	if n := h.active(); n != 598 {
		t.Fatalf("%d active, want 598", n)
	}
}

// TestGuardCountsDisabledAccounts: deactivations the directory states
// outright (disabled accounts) pass the deletion guard too, so that a mass
// disable, or a mapping mistake that makes everyone look disabled, waits for
// an operator.
func TestGuardCountsDisabledAccounts(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	m, err := mapping.Compile(mapping.ActiveDirectory())
	if err != nil {
		t.Fatal(err)
	}
	ad := func(n, disabledBelow int) []*directory.Entry {
		out := make([]*directory.Entry, n)
		for i := range out {
			uac := "512"
			if i < disabledBelow {
				uac = "514"
			}
			out[i] = &directory.Entry{DN: fmt.Sprintf("CN=u%d", i), Attrs: map[string][]string{"objectguid": {fmt.Sprintf("g%d", i)},
				"userprincipalname": {fmt.Sprintf("u%d@example.test", i)}, "displayname": {fmt.Sprintf("U %d", i)}, "useraccountcontrol": {uac}}}
		}
		return out
	}
	run := func(entries []*directory.Entry) (*reconcile.Report, error) {
		return h.eng.Run(ctx, reconcile.Job{Conn: h.c, Dir: &fakeDir{entries: entries}, Flavor: directory.FlavorActiveDirectory,
			Mapper: m, LinkingKey: "objectGUID"})
	}
	if rep, err := run(ad(100, 0)); err != nil || rep.Created != 100 {
		t.Fatalf("first run: %v %+v", err, rep)
	}
	rep, err := run(ad(100, 30))
	if !errors.Is(err, reconcile.ErrGuardTipped) || rep.Deactivated != 0 || rep.PendingDeactivations != 30 {
		t.Fatalf("mass disable: %v %+v", err, rep.Run)
	}
	if n := h.active(); n != 100 {
		t.Fatalf("%d active while the run is held, want 100", n)
	}
	if rep, err := run(ad(100, 5)); err != nil || rep.Deactivated != 5 {
		t.Fatalf("a few disabled accounts: %v %+v", err, rep.Run)
	}
}

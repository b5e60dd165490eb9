package reconcile_test

import (
	"context"
	"testing"

	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/reconcile"
)

// fakePhase marks users whose uid is in inactive as out of every group.
type fakePhase struct {
	inactive map[string]bool
	observed int
	finished int
}

func (f *fakePhase) Prepare(context.Context) error { return nil }
func (f *fakePhase) Attributes() []string          { return nil }
func (f *fakePhase) Observe(_, userID string, _ *directory.Entry) string {
	f.observed++
	if f.inactive[userID] {
		return "in no group"
	}
	return ""
}
func (f *fakePhase) Leave(string, string)                            {}
func (f *fakePhase) Finish(context.Context, *reconcile.Report) error { f.finished++; return nil }

var _ reconcile.GroupPhase = (*fakePhase)(nil)

func TestGroupPhaseStatusIsStable(t *testing.T) {
	h := newHarness(t)
	ph := &fakePhase{inactive: map[string]bool{"u2": true}}
	dir := &fakeDir{entries: people(3)}
	for run := range 2 {
		rep, err := h.eng.Run(context.Background(), h.jobWith(dir, ph))
		if err != nil {
			t.Fatal(err)
		}
		if run == 0 && h.active() != 2 {
			t.Fatalf("%d active, want 2 (u2 is in no group)", h.active())
		}
		if run == 1 && (rep.Unchanged != 3 || rep.Updated+rep.Deactivated != 0) {
			t.Fatalf("second run must change nothing: %+v", rep.Counts)
		}
	}
	if ph.finished != 2 {
		t.Fatalf("Finish ran %d times, want 2", ph.finished)
	}
	dir.failAt = 2
	if _, err := h.eng.Run(context.Background(), h.jobWith(dir, ph)); err == nil {
		t.Fatal("a failed read succeeded")
	}
	if ph.finished != 2 {
		t.Fatal("Finish ran after an incomplete read")
	}
}

func (h *harness) jobWith(d *fakeDir, ph reconcile.GroupPhase) reconcile.Job {
	h.t.Helper()
	m, err := mapping.Compile(mapping.InetOrgPerson())
	if err != nil {
		h.t.Fatal(err)
	}
	return reconcile.Job{Conn: h.c, Dir: d, Flavor: directory.FlavorOpenLDAP, Mapper: m,
		LinkingKey: "entryUUID", Groups: ph}
}

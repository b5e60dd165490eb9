package reconcile_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/reconcile"
)

// fakePhase marks users whose uid is in inactive as out of every group.
type fakePhase struct {
	inactive map[string]bool
	observed int
	finished int
	left     []string // the userIds Leave was told of
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
func (f *fakePhase) Leave(_, userID string)                          { f.left = append(f.left, userID) }
func (f *fakePhase) Take(string) reconcile.Grant                     { return reconcile.Grant{} }
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

// TestGroupPhaseLearnsOfLeavers: a user the leave policy deactivates is
// passed to the group phase, so that it loses what the rules gave; a user
// the policy deletes is not (the row goes, memberships with it), and a
// held run tells the phase nothing.
func TestGroupPhaseLearnsOfLeavers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		action string
		drop   int // users taken out of the directory
		want   []string
	}{
		{"deactivate", connection.LeaveDeactivate, 1, []string{"u1"}},
		{"delete", connection.LeaveDelete, 1, nil},
		{"held by the guard", connection.LeaveDeactivate, 7, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.c.LeavePolicy.Action = tc.action
			ph := &fakePhase{}
			dir := &fakeDir{entries: people(10)}
			if _, err := h.eng.Run(context.Background(), h.jobWith(dir, ph)); err != nil {
				t.Fatal(err)
			}
			dir.entries = dir.entries[tc.drop:]
			_, err := h.eng.Run(context.Background(), h.jobWith(dir, ph))
			if tc.drop > 1 && !errors.Is(err, reconcile.ErrGuardTipped) {
				t.Fatalf("run with %d leavers: %v, want the guard to hold it", tc.drop, err)
			}
			if tc.drop == 1 && err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ph.left, tc.want) {
				t.Fatalf("the phase was told of leavers %v, want %v", ph.left, tc.want)
			}
		})
	}
}

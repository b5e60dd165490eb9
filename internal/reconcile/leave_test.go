package reconcile

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/store/sqlite"
)

// fakeDir is a directory that returns its entries, completely.
type fakeDir struct{ entries []*directory.Entry }

func (d *fakeDir) Search(_ context.Context, _ directory.Query, fn func(*directory.Entry) error) error {
	for _, e := range d.entries {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

func (d *fakeDir) Close() error { return nil }

func person(i int) *directory.Entry {
	uid := fmt.Sprintf("u%d", i)
	return &directory.Entry{DN: "uid=" + uid + ",ou=people", Attrs: map[string][]string{
		"entryuuid": {uid + "-uuid"}, "uid": {uid}, "cn": {"User " + uid}, "mail": {uid + "@example.com"}}}
}

func people(n int) []*directory.Entry {
	out := make([]*directory.Entry, n)
	for i := range out {
		out[i] = person(i + 1)
	}
	return out
}

func openStore(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func runJob(t *testing.T, e *Engine, dir *fakeDir, conn connection.Connection, now time.Time) *Report {
	t.Helper()
	conn.ApplyDefaults()
	m := mapping.MustCompile(mapping.Set{Mappings: []mapping.Mapping{
		{Source: "uid", Target: mapping.FieldUserID},
		{Source: "cn", Target: mapping.FieldName},
		{Source: "mail", Target: mapping.FieldEmail}, // the field table clears email when the user leaves
	}})
	rep, err := e.Run(context.Background(), Job{Conn: conn, Dir: dir, Mapper: m, LinkingKey: "entryUUID",
		Now: func() time.Time { return now }})
	if err != nil && rep.Status != store.RunAwaitingApproval {
		t.Fatalf("run: %v", err)
	}
	return rep
}

func TestLeavePolicies(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name   string
		policy connection.LeavePolicy
		// after the user left; and 31 days later
		first, later store.Counts
		status       string // of the user who left, after the first run ("" = deleted)
	}{
		{"deactivate", connection.LeavePolicy{Action: connection.LeaveDeactivate},
			store.Counts{Deactivated: 1, Unchanged: 9}, store.Counts{Unchanged: 9}, store.StatusInactive},
		{"delete", connection.LeavePolicy{Action: connection.LeaveDelete},
			store.Counts{Deleted: 1, Unchanged: 9}, store.Counts{Unchanged: 9}, ""},
		{"deactivate then delete", connection.LeavePolicy{Action: connection.LeaveDeactivateThenDelete, AfterDays: 30},
			store.Counts{Deactivated: 1, Unchanged: 9}, store.Counts{Deleted: 1, Unchanged: 9}, store.StatusInactive},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := openStore(t)
			e := &Engine{Store: st}
			conn := connection.Connection{Name: "c", LeavePolicy: tt.policy}
			dir := &fakeDir{entries: people(10)}
			if rep := runJob(t, e, dir, conn, now); rep.Created != 10 {
				t.Fatalf("first run: %+v", rep.Counts)
			}
			dir.entries = dir.entries[1:]
			rep := runJob(t, e, dir, conn, now)
			if got := withoutRead(rep.Counts); got != tt.first {
				t.Errorf("after leaving: %+v, want %+v", got, tt.first)
			}
			users := userByExt(t, st, "u1-uuid")
			switch {
			case tt.status == "" && len(users) != 0:
				t.Errorf("the user who left still exists: %+v", users)
			case tt.status != "" && (len(users) != 1 || users[0].Status != tt.status):
				t.Fatalf("the user who left: %+v", users)
			case tt.status != "" && users[0].Fields[mapping.FieldEmail] != "":
				t.Errorf("email kept on leaving; the field table clears it: %v", users[0].Fields)
			case tt.status != "" && users[0].Fields[mapping.FieldName] != "":
				t.Errorf("displayName kept on leaving; the field table clears it: %v", users[0].Fields)
			}
			rep = runJob(t, e, dir, conn, now.Add(31*24*time.Hour))
			if got := withoutRead(rep.Counts); got != tt.later {
				t.Errorf("31 days later: %+v, want %+v", got, tt.later)
			}
		})
	}
}

func TestGuardCountsDeletions(t *testing.T) {
	st := openStore(t)
	e := &Engine{Store: st}
	conn := connection.Connection{Name: "c", LeavePolicy: connection.LeavePolicy{Action: connection.LeaveDelete},
		DeletionGuard: connection.DeletionGuard{MaxCount: 2, MaxPercent: 100}}
	dir := &fakeDir{entries: people(10)}
	runJob(t, e, dir, conn, time.Now())
	dir.entries = dir.entries[5:]
	rep := runJob(t, e, dir, conn, time.Now())
	if rep.Status != store.RunAwaitingApproval || rep.PendingDeactivations != 5 || rep.Deleted != 0 {
		t.Fatalf("guard: %+v", rep)
	}
	outs, _ := st.ListOutcomes(context.Background(), rep.ID, store.OutcomeQuery{Action: store.ActionPendingDeletion})
	if len(outs) != 5 {
		t.Errorf("%d pending deletions recorded, want 5", len(outs))
	}
	if n, _ := st.ListUsers(context.Background(), store.UserQuery{}); len(n) != 10 {
		t.Errorf("%d users left, want all 10 kept", len(n))
	}
}

func withoutRead(c store.Counts) store.Counts {
	c.EntriesRead = 0
	return c
}

func userByExt(t *testing.T, st store.Store, ext string) []store.User {
	t.Helper()
	all, err := st.ListUsers(context.Background(), store.UserQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var out []store.User
	for _, u := range all {
		if u.ExternalID == ext {
			out = append(out, u)
		}
	}
	return out
}

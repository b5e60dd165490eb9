package reconcile

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/store/sqlite"
)

// TestLeaverSameEveryRun: a user who leaves is treated the same whichever
// kind of run notices it: a full run (the entry is missing), an
// incremental run (a delete in the change log) or a live batch (a delete
// delivered on its own). This in-memory test sits beside the ones against
// slapd and Samba; it compares the three kinds directly.
func TestLeaverSameEveryRun(t *testing.T) {
	yes := true
	set := mapping.Set{Mappings: []mapping.Mapping{
		{Source: "userPrincipalName", Target: mapping.FieldUserID},
		{Source: "displayName", Target: mapping.FieldName},
		{Source: "mail", Target: mapping.FieldEmail, Policy: &mapping.Policy{Delete: &yes}},
	}}
	later := time.Now().Add(40 * 24 * time.Hour)
	for _, pol := range []connection.LeavePolicy{
		{Action: connection.LeaveDeactivate},
		{Action: connection.LeaveDelete},
		{Action: connection.LeaveDeactivateThenDelete, AfterDays: 30},
	} {
		type result struct {
			counts store.Counts
			user   string // status and email of the leaver, or "deleted"
		}
		results := map[string]result{}
		for _, kind := range []string{"full", "incremental", "live"} {
			ctx := context.Background()
			st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			c := connection.Connection{Name: "ad", SearchPath: "DC=example,DC=test", SearchFilter: "(objectClass=user)", LeavePolicy: pol}
			c.ApplyDefaults()
			if err := st.PutConnection(ctx, c, ""); err != nil {
				t.Fatal(err)
			}
			dir := &fakeAD{token: "t1"}
			for i := 1; i <= 10; i++ {
				e := adEntry(i, "512")
				e.Attrs["mail"] = []string{"mail@example.test"}
				dir.entries = append(dir.entries, e)
			}
			e := &Engine{Store: st}
			j := Job{Conn: c, Dir: dir, Flavor: directory.FlavorActiveDirectory, Mapper: mapping.MustCompile(set),
				LinkingKey: "objectGUID", Identity: Identity{UPN: true, Mode: connection.IdentityAnchor}}
			if _, err := e.Run(ctx, j); err != nil {
				t.Fatal(err)
			}
			// User 3 left earlier and is inactive for 40 days by now; user 5
			// leaves now.
			if _, err := e.ApplyChanges(ctx, j, Changes{Deletes: []string{guid(3)}}); err != nil && pol.Action != connection.LeaveDelete {
				t.Fatal(err)
			}
			j.Now = func() time.Time { return later }
			dir.entries = append(append([]*directory.Entry(nil), dir.entries[:2]...), dir.entries[3:]...)
			dir.entries = append(dir.entries[:3], dir.entries[4:]...)
			var rep *Report
			switch kind {
			case "full":
				j.Full = true
				rep, err = e.Run(ctx, j)
			case "incremental":
				dir.changes, dir.token = []directory.Change{gone(directory.Deleted, 3), gone(directory.Deleted, 5)}, "t2"
				rep, err = e.Run(ctx, j)
				if rep.Mode != store.ModeIncremental {
					t.Fatalf("%s: the run is %s", kind, rep.Mode)
				}
			case "live":
				rep, err = e.ApplyChanges(ctx, j, Changes{Deletes: []string{guid(3), guid(5)}})
			}
			if err != nil {
				t.Fatalf("%s %s: %v", pol.Action, kind, err)
			}
			got := result{counts: rep.Counts, user: "deleted"}
			got.counts.EntriesRead, got.counts.Unchanged = 0, 0
			for _, ext := range []string{guid(3), guid(5)} {
				if us := userByExt(t, st, ext); len(us) == 1 {
					got.user += " " + us[0].Status + " <" + us[0].Fields[mapping.FieldEmail] + ">"
				} else {
					got.user += " deleted"
				}
			}
			results[kind] = got
		}
		if results["incremental"] != results["full"] || results["live"] != results["full"] {
			t.Errorf("%s: the runs disagree about the same leavers:\n full        %+v\n incremental %+v\n live        %+v",
				pol.Action, results["full"], results["incremental"], results["live"])
		}
		if results["full"].counts.Deactivated+results["full"].counts.Deleted == 0 {
			t.Errorf("%s: nobody left: %+v", pol.Action, results["full"])
		}
	}
}

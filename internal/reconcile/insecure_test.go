package reconcile

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/store/sqlite"
)

// Every kind of run of a connection with insecure settings records them as
// run warnings: full, incremental and live. This in-memory test sits beside
// the one through the API against slapd.
func TestEveryRunRecordsInsecureSettings(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := connection.Connection{Name: "ad", SearchPath: "DC=example,DC=test", Security: connection.SecurityNone,
		TLSSkipVerify: true, Password: "secret"}
	c.ApplyDefaults()
	if err := st.PutConnection(ctx, c, "sealed"); err != nil {
		t.Fatal(err)
	}
	dir := &fakeAD{token: "t1"}
	dir.entries = append(dir.entries, adEntry(1, "512"))
	e := &Engine{Store: st}
	set := mapping.Set{Mappings: []mapping.Mapping{{Source: "userPrincipalName", Target: mapping.FieldUserID}, {Source: "displayName", Target: mapping.FieldName}}}
	j := Job{Conn: c, Dir: dir, Flavor: directory.FlavorActiveDirectory, Mapper: mapping.MustCompile(set),
		LinkingKey: "objectGUID", Identity: Identity{UPN: true, Mode: connection.IdentityAnchor}}
	full, err := e.Run(ctx, j)
	if err != nil {
		t.Fatal(err)
	}
	incremental, err := e.Run(ctx, j)
	if err != nil {
		t.Fatal(err)
	}
	live, err := e.ApplyChanges(ctx, j, Changes{Deletes: []string{guid(9)}})
	if err != nil {
		t.Fatal(err)
	}
	for name, rep := range map[string]*Report{"full": full, "incremental": incremental, "live": live} {
		run, err := st.GetRun(ctx, rep.ID)
		if err != nil {
			t.Fatal(err)
		}
		w := strings.Join(run.Warnings, "\n")
		if !strings.Contains(w, "insecure connection: security") || !strings.Contains(w, "insecure connection: tlsSkipVerify") {
			t.Errorf("%s run (mode %s) warnings %q lack the insecure settings", name, run.Mode, run.Warnings)
		}
	}
}

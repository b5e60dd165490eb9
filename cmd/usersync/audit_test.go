package main

import (
	"context"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/store/sqlite"
)

// TestCLIActionsAreAudited: actions taken with the command line are in the
// audit log too, with the actor "cli:" and the operating-system user.
func TestCLIActionsAreAudited(t *testing.T) {
	c := newCLI(t)
	if out, code := c.run("token", "create", "ci", "--scope", "run"); code != exitOK {
		t.Fatalf("token create: %d %s", code, out)
	}
	// A refused command changes nothing and is not audited as done.
	if out, code := c.run("token", "create", "ci2", "--scope", "everything"); code != exitUsage {
		t.Fatalf("token create with a bad scope: %d %s", code, out)
	}
	st, err := sqlite.Open(context.Background(), c.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	list, n, err := st.ListAudit(context.Background(), store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 || list[0].Action != app.AuditTokenCreate || list[0].Object != "token ci" || list[0].Detail != "scope run" {
		t.Fatalf("audit = %+v (%d), want one token.create of ci", list, n)
	}
	if a := list[0].Actor; !strings.HasPrefix(a, "cli:") || a != app.CLIActor() || a == "cli:" {
		t.Fatalf("actor = %q, want cli:<os user> (%q)", a, app.CLIActor())
	}
}

package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/store/sqlite"
)

// TestConnectionDeleteWhileRunning: `connection delete` never deletes a
// connection under a run of it. While another instance holds the run
// lease it fails naming the holder and the connection stays; afterwards it
// deletes; an unknown name and a missing NAME are usage errors.
func TestConnectionDeleteWhileRunning(t *testing.T) {
	c := newCLI(t)
	c.apply(map[string]any{
		"name": "corp", "friendlyName": "Corp", "directoryType": "source", "systemType": "ldap",
		"dnsName": "127.0.0.1", "port": 1, "security": "none", "searchPath": "dc=x",
	})
	ctx := context.Background()
	st, err := sqlite.Open(ctx, c.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const holder = "other-host/pid 1/run 1"
	if _, err := st.AcquireLease(ctx, "corp", holder, time.Minute); err != nil {
		t.Fatal(err)
	}
	if out, code := c.run("connection", "delete", "corp"); code != exitFailed || !strings.Contains(out, holder) {
		t.Fatalf("delete while running: exit %d, want %d naming %q:\n%s", code, exitFailed, holder, out)
	}
	if out, code := c.run("connection", "show", "corp"); code != 0 {
		t.Fatalf("show after a refused delete: exit %d\n%s", code, out)
	}
	if err := st.ReleaseLease(ctx, "corp", holder); err != nil {
		t.Fatal(err)
	}
	if out, code := c.run("connection", "delete", "corp"); code != 0 || !strings.Contains(out, `connection "corp" deleted`) {
		t.Fatalf("delete: exit %d\n%s", code, out)
	}
	if out, code := c.run("connection", "delete", "corp"); code != exitUsage || !strings.Contains(out, `"corp"`) {
		t.Fatalf("delete of an unknown connection: exit %d, want %d\n%s", code, exitUsage, out)
	}
	if out, code := c.run("connection", "delete"); code != exitUsage {
		t.Fatalf("delete without NAME: exit %d, want %d\n%s", code, exitUsage, out)
	}
}

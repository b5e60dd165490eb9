package main

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/store"
	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
)

// refusedPasswords are new passwords the one policy refuses on every path:
// fewer than 12 or more than 256 characters, or a common password.
var refusedPasswords = []struct{ name, pw, want string }{
	{"eleven characters", "abcdefgh-10", "shorter than 12"},
	{"eleven two-byte characters", strings.Repeat("é", 11), "shorter than 12"},
	{"257 characters", strings.Repeat("x", 257), "longer than 256"},
	{"common password", "Password1234", "too common"},
}

// newCLIOn is newCLI on a SQLite file or on a PostgreSQL database.
func newCLIOn(t *testing.T, kind string) *cli {
	t.Helper()
	c := newCLI(t)
	if kind == "postgres" {
		c.db = pgtest.URL(t)
		cfg := t.TempDir()
		t.Setenv("XDG_CONFIG_HOME", cfg)
		t.Setenv("HOME", cfg)
	}
	return c
}

// stores are the two store implementations the CLI tests below run on.
var stores = []string{"sqlite", "postgres"}

// TestLocalUserPasswordPolicyCLI: the CLI creates local users and sets
// their passwords under the same policy and argon2id hash as the API, names
// the field at fault and changes nothing on a refusal.
func TestLocalUserPasswordPolicyCLI(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { testLocalUserPasswordPolicyCLI(t, newCLIOn(t, kind)) })
	}
}

func testLocalUserPasswordPolicyCLI(t *testing.T, c *cli) {
	for _, tc := range refusedPasswords {
		if out, code := c.runIn(tc.pw+"\n", "local-user", "add", "ops@example.com"); code != exitUsage || !strings.Contains(out, "password: "+tc.want) {
			t.Fatalf("add with %s: exit %d\n%s", tc.name, code, out)
		}
	}
	if out, _ := c.run("local-user", "list", "--json"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("refused additions left users: %s", out)
	}
	const first = "Local-User-Secret-77"
	if out, code := c.runIn(first+"\n", "local-user", "add", "ops@example.com"); code != 0 {
		t.Fatalf("add: exit %d\n%s", code, out)
	}
	a, err := openApp(t.Context(), c.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if u, err := a.Store.FindUsers(t.Context(), "ops@example.com"); err != nil || len(u) != 1 || !strings.HasPrefix(u[0].PasswordHash, "$argon2id$") {
		t.Fatalf("stored user: %+v %v", u, err)
	}
	for _, tc := range refusedPasswords {
		if out, code := c.runIn(tc.pw+"\n", "local-user", "password", "OPS@example.com"); code != exitUsage || !strings.Contains(out, tc.want) {
			t.Fatalf("password with %s: exit %d\n%s", tc.name, code, out)
		}
	}
	if out, code := c.runIn(first+"\n", "auth", "check", "ops@example.com"); code != 0 {
		t.Fatalf("the first password stopped working after refused changes: %d %s", code, out)
	}
	if out, code := c.runIn("Second-Secret-2026\n", "local-user", "password", "ops@example.com"); code != 0 {
		t.Fatalf("password: exit %d\n%s", code, out)
	}
	if out, code := c.runIn("Second-Secret-2026\n", "auth", "check", "ops@example.com"); code != 0 {
		t.Fatalf("new password: %d %s", code, out)
	}
	if out, code := c.runIn(first+"\n", "auth", "check", "ops@example.com"); code != exitFailed {
		t.Fatalf("old password still works: %d %s", code, out)
	}
	if out, code := c.run("local-user", "remove", "ops@example.com"); code != 0 {
		t.Fatalf("remove: exit %d\n%s", code, out)
	}
	if out, code := c.run("local-user", "remove", "ops@example.com"); code != exitUsage {
		t.Fatalf("second remove: exit %d\n%s", code, out)
	}
}

// TestAdminPasswordCLI: USERSYNC_ADMIN_PASSWORD and `admin password` obey
// the same policy, and `admin password` logs out every session of the
// administrator.
func TestAdminPasswordCLI(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { testAdminPasswordCLI(t, newCLIOn(t, kind)) })
	}
}

func testAdminPasswordCLI(t *testing.T, c *cli) {
	ctx := t.Context()
	a, err := openApp(ctx, c.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, tc := range refusedPasswords {
		if _, err := a.EnsureAdmin(ctx, tc.pw, io.Discard); err == nil || !strings.Contains(err.Error(), "USERSYNC_ADMIN_PASSWORD: password: "+tc.want) {
			t.Fatalf("USERSYNC_ADMIN_PASSWORD with %s: %v", tc.name, err)
		}
	}
	if _, err := a.CheckAdmin(ctx, "admin", refusedPasswords[0].pw); err == nil {
		t.Fatal("a refused USERSYNC_ADMIN_PASSWORD created the administrator")
	}
	if _, err := a.EnsureAdmin(ctx, "First-Admin-Password", io.Discard); err != nil {
		t.Fatal(err)
	}
	type sessions interface {
		CreateSession(ctx context.Context, s store.Session) error
		GetSession(ctx context.Context, idHash string) (store.Session, error)
	}
	st := a.Store.(sessions)
	if err := st.CreateSession(ctx, store.Session{IDHash: "h1", Admin: "admin", CSRFToken: "x", ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range refusedPasswords {
		if out, code := c.runIn(tc.pw+"\n", "admin", "password"); code != exitUsage || !strings.Contains(out, tc.want) {
			t.Fatalf("admin password with %s: exit %d\n%s", tc.name, code, out)
		}
	}
	if _, err := st.GetSession(ctx, "h1"); err != nil {
		t.Fatalf("a refused change ended the session: %v", err)
	}
	if out, code := c.runIn("Second-Admin-Password\n", "admin", "password", "nobody"); code == 0 {
		t.Fatalf("unknown administrator: exit %d\n%s", code, out)
	}
	if out, code := c.runIn("Second-Admin-Password\n", "admin", "password"); code != 0 {
		t.Fatalf("admin password: exit %d\n%s", code, out)
	}
	if _, err := st.GetSession(ctx, "h1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("session after the change: %v", err)
	}
	if _, err := a.CheckAdmin(ctx, "admin", "Second-Admin-Password"); err != nil {
		t.Fatalf("new password: %v", err)
	}
}

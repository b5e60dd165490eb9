package main

import (
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/samba"
)

// TestADAuthCheck: `auth check` accepts a directory user's
// right password in all three name forms, and says clearly why it refuses
// a wrong password, a disabled or locked-out account, and an unknown user.
func TestADAuthCheck(t *testing.T) {
	dc, c := startAD(t, nil)
	dc.Disable(t, samba.GeneratedUserDN(2)) // disabled after the sync: still active in usersync
	dc.LockOut(t, samba.GeneratedUserDN(3))
	c.mustSync("ad")
	dc.Disable(t, samba.GeneratedUserDN(4))
	dc.Disable(t, samba.GeneratedUserDN(6))
	c.mustSync("ad") // user00006 is now inactive in usersync
	for _, tc := range []struct {
		name, user, password string
		wantCode             int
		want                 string
	}{
		{"upn", "user00001@example.test", samba.GeneratedPassword(1), 0, "authenticated user00001@example.test"},
		{"netbios", `EXAMPLE\user00001`, samba.GeneratedPassword(1), 0, "authenticated user00001@example.test"},
		{"netbios lower case", `example\user00001`, samba.GeneratedPassword(1), 0, "authenticated user00001@example.test"},
		{"bare login", "user00001", samba.GeneratedPassword(1), 0, "authenticated user00001@example.test"},
		{"wrong password", "user00001@example.test", "Wrong-Password-1", exitFailed, "failed: wrong password"},
		{"disabled before the sync, never provisioned", "user00002@example.test", samba.GeneratedPassword(2), exitFailed, "failed: account disabled"},
		{"disabled from the start", `EXAMPLE\user00010`, samba.GeneratedPassword(10), exitFailed, "failed: account disabled"},
		{"disabled in AD since the sync", "user00004", samba.GeneratedPassword(4), exitFailed, "failed: account disabled"},
		{"disabled, deactivated by sync", "user00006", samba.GeneratedPassword(6), exitFailed, "failed: account disabled"},
		{"locked out", "user00003@example.test", samba.GeneratedPassword(3), exitFailed, "failed: account locked out"},
		{"unknown user", "nobody@example.test", "Whatever-1", exitFailed, "failed: unknown user"},
		{"unknown NetBIOS domain", `OTHER\user00001`, samba.GeneratedPassword(1), exitFailed, "failed: unknown user"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, code := c.runIn(tc.password+"\n", "auth", "check", tc.user)
			if code != tc.wantCode || !strings.Contains(out, tc.want) {
				t.Fatalf("auth check %s: exit %d, want %d with %q:\n%s", tc.user, code, tc.wantCode, tc.want, out)
			}
		})
	}
	t.Run("no password", func(t *testing.T) {
		if out, code := c.runIn("", "auth", "check", "user00001"); code != exitUsage {
			t.Fatalf("auth check without a password: exit %d\n%s", code, out)
		}
	})
	t.Run("plain LDAP refused", func(t *testing.T) {
		c.apply(adDoc(dc, map[string]any{"port": 389, "security": "startTls"}))
		if out, code := c.runIn(samba.GeneratedPassword(1)+"\n", "auth", "check", "user00001"); code != 0 {
			t.Fatalf("auth check over StartTLS: exit %d\n%s", code, out)
		}
		c.apply(adDoc(dc, map[string]any{"port": 389, "security": "none"}))
		out, code := c.runIn(samba.GeneratedPassword(1)+"\n", "auth", "check", "user00001@example.test")
		if code != exitFailed || !strings.Contains(out, "plain LDAP") {
			t.Fatalf("auth check over plain LDAP: exit %d\n%s", code, out)
		}
	})
}

// TestLocalUsers covers local accounts (users created in usersync, not read
// from a directory): created through the CLI
// with a hashed password, checked by `auth check`, never modified by sync,
// a directory user with the same userId is reported as a conflict, and a
// local user cannot take an active directory user's userId.
func TestLocalUsers(t *testing.T) {
	dc, c := startAD(t, nil)
	pw := "Local-Secret-1"
	if out, code := c.runIn(pw+"\n", "users", "add-local", "user00005@example.test", "--display-name", "Local Five", "--email", "five@local.test"); code != 0 {
		t.Fatalf("add-local: %d %s", code, out)
	}
	if out, code := c.runIn(pw+"\n", "users", "add-local", "USER00005@example.test"); code != exitUsage {
		t.Fatalf("second add-local with the same userId: %d %s", code, out)
	}
	if out, code := c.runIn("short\n", "users", "add-local", "admin"); code != exitUsage || !strings.Contains(out, "shorter") {
		t.Fatalf("add-local with a short password: %d %s", code, out)
	}
	rep := c.mustSync("ad")
	wantCounts(t, rep, store.Counts{Created: 899, Skipped: 101})
	if out := c.outcomes(rep.ID, "skipped"); !strings.Contains(out, "conflict: a local user") {
		t.Fatalf("no conflict reported:\n%s", out)
	}
	// The other way round: a local user cannot take an active directory
	// user's userId, in any case, and the refusal names the holder.
	if out, code := c.runIn(pw+"\n", "users", "add-local", "USER00006@example.test"); code != exitUsage ||
		!strings.Contains(out, `already held by user "user00006@example.test" of connection "ad"`) {
		t.Fatalf("add-local with an AD user's userId: %d %s", code, out)
	}
	dc.Replace(t, samba.GeneratedUserDN(5), "displayName", "Directory Five")
	c.mustSync("ad", "--full")
	u := user(t, c.users(), "user00005@example.test")
	if u.Source != store.SourceLocal || u.Email != "five@local.test" || u.ExternalID != "" {
		t.Fatalf("local user after sync: %+v", u)
	}
	for _, tc := range []struct {
		password string
		code     int
		want     string
	}{
		{pw, 0, "authenticated user00005@example.test (local user)"},
		{samba.GeneratedPassword(5), exitFailed, "wrong password"},
	} {
		if out, code := c.runIn(tc.password+"\n", "auth", "check", "user00005@example.test"); code != tc.code || !strings.Contains(out, tc.want) {
			t.Fatalf("auth check local user with %q: %d %s", tc.password, code, out)
		}
	}
	if strings.Contains(c.all.String(), pw) {
		t.Fatal("a local password appeared in usersync's output")
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/demodir"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// cli runs usersync in-process against one store, as a script would.
type cli struct {
	t  *testing.T
	db string
	// all collects every byte usersync printed, to prove no secret leaks.
	all bytes.Buffer
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("USERSYNC_SECRET_KEY", "")
	t.Setenv("USERSYNC_LOG_LEVEL", "debug")
	return &cli{t: t, db: filepath.Join(dir, "usersync.db")}
}

func (c *cli) run(args ...string) (stdout string, code int) {
	c.t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), append(args, "--db", c.db), strings.NewReader(""), &out, &errb)
	c.all.Write(out.Bytes())
	c.all.Write(errb.Bytes())
	if testing.Verbose() {
		c.t.Logf("usersync %s → %d\n%s%s", strings.Join(args, " "), code, out.String(), errb.String())
	}
	return out.String() + errb.String(), code
}

func (c *cli) sync(name string, extra ...string) (reconcile.Report, int) {
	c.t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"sync", name, "--json", "--db", c.db}, extra...), strings.NewReader(""), &out, &errb)
	c.all.Write(out.Bytes())
	c.all.Write(errb.Bytes())
	var rep reconcile.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		c.t.Fatalf("sync --json printed no report (%v): %s %s", err, out.String(), errb.String())
	}
	return rep, code
}

func (c *cli) apply(doc map[string]any, flags ...string) {
	c.t.Helper()
	raw, _ := json.Marshal(doc)
	path := filepath.Join(c.t.TempDir(), "conn.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		c.t.Fatal(err)
	}
	if out, code := c.run(append([]string{"connection", "apply", "-f", path}, flags...)...); code != 0 {
		c.t.Fatalf("connection apply: %d %s", code, out)
	}
}

func connDoc(s *slapd.Server) map[string]any {
	return map[string]any{
		"name": "corp", "friendlyName": "Corporate LDAP", "directoryType": "source", "systemType": "ldap",
		"dnsName": "127.0.0.1", "port": s.Port, "security": "none",
		"username": slapd.AdminDN, "password": slapd.AdminPassword,
		"searchPath": slapd.PeopleDN, "searchFilter": "(objectClass=inetOrgPerson)",
	}
}

func adminConn(t *testing.T, s *slapd.Server) *ldapv3.Conn {
	t.Helper()
	l, err := ldapv3.DialURL(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Bind(slapd.AdminDN, slapd.AdminPassword); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func wantCounts(t *testing.T, rep reconcile.Report, want store.Counts) {
	t.Helper()
	got := rep.Counts
	got.EntriesRead, want.EntriesRead = 0, 0
	if rep.Mode == store.ModeIncremental {
		// An incremental run counts only the entries it read.
		got.Unchanged, want.Unchanged = 0, 0
		got.Skipped, want.Skipped = 0, 0
	}
	if got != want {
		t.Fatalf("counts = %+v, want %+v (status %s, error %q)", got, want, rep.Status, rep.Error)
	}
}

// TestFoundationAcceptance runs the basic scenario end to end: apply a
// connection, check it, sync 2,000 users, and sync again incrementally,
// reading nothing and changing nothing.
func TestFoundationAcceptance(t *testing.T) {
	s := slapd.Start(t, 2000, 20)
	c := newCLI(t)
	c.apply(connDoc(s))

	if out, code := c.run("connection", "check", "corp"); code != 0 || !strings.Contains(out, "2000 entries") {
		t.Fatalf("check: %d %s", code, out)
	}

	rep, code := c.sync("corp")
	if code != 0 || rep.Status != store.RunSucceeded || rep.EntriesRead != 2000 {
		t.Fatalf("first sync: code %d %+v", code, rep)
	}
	wantCounts(t, rep, store.Counts{Created: 2000})

	rep, code = c.sync("corp")
	if code != 0 {
		t.Fatalf("second sync exit %d", code)
	}
	wantCounts(t, rep, store.Counts{Unchanged: 2000})
	if rep.Mode != store.ModeIncremental || rep.EntriesRead != 0 {
		t.Fatalf("second sync: mode %s, %d entries read; want an incremental run that reads nothing", rep.Mode, rep.EntriesRead)
	}

	l := adminConn(t, s)
	for i := 1; i <= 10; i++ {
		m := ldapv3.NewModifyRequest(slapd.UserDN(i), nil)
		m.Replace("mail", []string{fmt.Sprintf("changed%d@example.org", i)})
		if err := l.Modify(m); err != nil {
			t.Fatal(err)
		}
	}
	for i := 101; i <= 105; i++ {
		if err := l.Del(ldapv3.NewDelRequest(slapd.UserDN(i), nil)); err != nil {
			t.Fatal(err)
		}
	}
	rep, code = c.sync("corp")
	if code != 0 {
		t.Fatalf("third sync exit %d: %+v", code, rep)
	}
	wantCounts(t, rep, store.Counts{Updated: 10, Deactivated: 5, Unchanged: 1985})
	if rep.Mode != store.ModeIncremental || rep.EntriesRead != 15 {
		t.Fatalf("third sync: mode %s, %d entries read; want incremental and 15 (warnings %q)", rep.Mode, rep.EntriesRead, rep.Warnings)
	}
	// A full run agrees with the incremental ones.
	if rep, code := c.sync("corp", "--full"); code != 0 || rep.Mode != store.ModeFull {
		t.Fatalf("full sync: exit %d %+v", code, rep)
	} else {
		wantCounts(t, rep, store.Counts{Unchanged: 1995})
	}

	// The run record explains each change with old and new values.
	out, _ := c.run("runs", "show", fmt.Sprint(rep.ID), "--action", "updated")
	if !strings.Contains(out, `email "user000001@example.com" → "changed1@example.org"`) {
		t.Fatalf("runs show lacks the field change:\n%s", out)
	}

	t.Run("stopped directory deactivates nobody", func(t *testing.T) {
		s.Stop()
		defer func() {
			if err := s.Restart(context.Background()); err != nil {
				t.Fatal(err)
			}
		}()
		rep, code := c.sync("corp")
		if code == 0 || rep.Status != store.RunFailed || rep.Deactivated != 0 {
			t.Fatalf("sync with slapd stopped: code %d %+v", code, rep)
		}
		assertActive(t, c, 1995)
	})

	t.Run("empty filter result deactivates nobody", func(t *testing.T) {
		doc := connDoc(s)
		doc["searchFilter"] = "(uid=nobody-has-this)"
		c.apply(doc)
		defer c.apply(connDoc(s))
		rep, code := c.sync("corp")
		if code == 0 || rep.Deactivated != 0 || !strings.Contains(rep.Error, "empty read is never trusted") {
			t.Fatalf("empty read: code %d %+v", code, rep)
		}
		assertActive(t, c, 1995)
	})

	t.Run("mass deactivation waits for approval", func(t *testing.T) {
		doc := connDoc(s)
		// Only user000001..user000799 match: user000101..105 were deleted, so 794 match and 1201 of 1995 would go (60%).
		doc["searchFilter"] = "(&(objectClass=inetOrgPerson)(|(uid=user0000*)(uid=user0001*)(uid=user0002*)(uid=user0003*)(uid=user0004*)(uid=user0005*)(uid=user0006*)(uid=user0007*)))"
		c.apply(doc)
		rep, code := c.sync("corp")
		if code != exitHeld || rep.Status != store.RunAwaitingApproval || rep.Deactivated != 0 || rep.PendingDeactivations != 1201 {
			t.Fatalf("guarded run: code %d %+v", code, rep)
		}
		assertActive(t, c, 1995)
		if out, code := c.run("runs", "approve", fmt.Sprint(rep.ID)); code != 0 {
			t.Fatalf("approve: %d %s", code, out)
		}
		assertActive(t, c, 1995-1201)
		// Back to the full filter: the users come back.
		c.apply(connDoc(s))
		rep, code = c.sync("corp", "--db", c.db)
		if code != 0 || rep.Updated != 1201 {
			t.Fatalf("reactivation: code %d %+v", code, rep)
		}
		assertActive(t, c, 1995)
	})

	t.Run("password never shown", func(t *testing.T) {
		c.run("connection", "list", "--json")
		c.run("connection", "show", "corp")
		c.run("users", "list", "--json")
		if strings.Contains(c.all.String(), slapd.AdminPassword) {
			t.Fatal("the bind password appeared in usersync's output or logs")
		}
		for _, f := range []string{c.db, c.db + "-wal"} {
			raw, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			if bytes.Contains(raw, []byte(slapd.AdminPassword)) {
				t.Fatalf("the bind password is in clear in %s", f)
			}
		}
	})
}

func assertActive(t *testing.T, c *cli, want int) {
	t.Helper()
	out, code := c.run("users", "list", "--status", "active", "--json")
	if code != 0 {
		t.Fatalf("users list: %d %s", code, out)
	}
	var users []map[string]any
	if err := json.Unmarshal([]byte(out), &users); err != nil {
		t.Fatalf("users list --json: %v", err)
	}
	if len(users) != want {
		t.Fatalf("%d active users, want %d", len(users), want)
	}
}

// TestDemo runs the README's first command: it must work with nothing but
// Go on the machine (the sample directory is built in).
func TestDemo(t *testing.T) {
	c := newCLI(t)
	out, code := c.run("demo")
	if code != 0 {
		t.Fatalf("demo exited %d:\n%s", code, out)
	}
	for _, want := range []string{"directory is Active Directory", "created 99", "skipped 1", "account is disabled", "99 users"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(c.all.String(), "Demo-Passw0rd") {
		t.Error("the demo printed a password")
	}
}

// TestCheckFailuresAreOneClearLine covers a failing check through the
// CLI: each broken connection gives one line naming the cause, a non-zero
// exit, and changes nothing.
func TestCheckFailuresAreOneClearLine(t *testing.T) {
	s := slapd.Start(t, 30, 0)
	c := newCLI(t)
	c.apply(connDoc(s))
	if rep, code := c.sync("corp"); code != 0 || rep.Created != 30 {
		t.Fatalf("baseline sync: %d %+v", code, rep)
	}
	tests := []struct {
		name   string
		modify func(map[string]any)
		want   string
	}{
		{"wrong password", func(d map[string]any) { d["password"] = "wrong" }, "invalid credentials"},
		{"wrong port", func(d map[string]any) { d["port"] = 1 }, "connection refused by 127.0.0.1:1"},
		{"missing search base", func(d map[string]any) { d["searchPath"] = "ou=gone,dc=example,dc=com" }, `search base "ou=gone,dc=example,dc=com" does not exist`},
		{"untrusted certificate", func(d map[string]any) { d["security"], d["port"] = "ldaps", s.TLSPort }, "not trusted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := connDoc(s)
			tt.modify(doc)
			c.apply(doc)
			defer c.apply(connDoc(s))
			var out, errb bytes.Buffer
			code := run(context.Background(), []string{"connection", "check", "corp", "--db", c.db}, strings.NewReader(""), &out, &errb)
			lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
			if code == 0 || len(lines) != 1 || !strings.Contains(lines[0], tt.want) {
				t.Fatalf("check: exit %d, stderr %q, want one line containing %q", code, errb.String(), tt.want)
			}
			rep, code := c.sync("corp")
			if code == 0 || rep.Status != store.RunFailed || !strings.Contains(rep.Error, tt.want) {
				t.Fatalf("sync: exit %d %+v", code, rep)
			}
			assertActive(t, c, 30)
		})
	}
	t.Run("malformed filter is refused at apply", func(t *testing.T) {
		doc := connDoc(s)
		doc["searchFilter"] = "(uid=broken"
		raw, _ := json.Marshal(doc)
		path := filepath.Join(t.TempDir(), "bad.json")
		os.WriteFile(path, raw, 0o600)
		out, code := c.run("connection", "apply", "-f", path)
		if code != exitUsage || !strings.Contains(out, "searchFilter") {
			t.Fatalf("apply with a bad filter: %d %s", code, out)
		}
		assertActive(t, c, 30)
	})
}

// TestTokenCreate prints a new API token once; a second token with the
// same name is refused.
func TestTokenCreate(t *testing.T) {
	c := newCLI(t)
	out, code := c.run("token", "create", "ci")
	if code != 0 || !strings.HasPrefix(out, "ust_") {
		t.Fatalf("token create: %d %s", code, out)
	}
	if out, code := c.run("token", "create", "ci"); code == 0 {
		t.Fatalf("duplicate token name accepted: %s", out)
	}
}

// TestDemoDirectoryIncremental: the demo's Active Directory keeps a USN
// watermark and tombstones, so the second run of the demo is incremental and
// sees deletions and changes like a real DC's.
func TestDemoDirectoryIncremental(t *testing.T) {
	ctx := context.Background()
	dir, err := demodir.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Stop()
	c := newCLI(t)
	a, err := openApp(ctx, c.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, _, err := a.PutConnection(ctx, dir.Connection("demo")); err != nil {
		t.Fatal(err)
	}
	rep, err := a.Sync(ctx, "demo", app.SyncOptions{})
	if err != nil || rep.Created != 99 || rep.Mode != store.ModeFull {
		t.Fatalf("first run: %v %+v", err, rep.Run)
	}
	people := dir.PeopleDNs()
	if err := dir.SetAttribute(people[1], "title", "Chief Demo Officer"); err != nil {
		t.Fatal(err)
	}
	rep, err = a.Sync(ctx, "demo", app.SyncOptions{})
	if err != nil || rep.Mode != store.ModeIncremental || rep.Updated != 1 || rep.EntriesRead > 3 {
		t.Fatalf("run after a change: %v %+v", err, rep.Run)
	}
	// A deletion leaves a tombstone (and changes the groups the person was
	// in, which makes the run full: memberships live on the groups).
	if err := dir.Delete(people[0]); err != nil {
		t.Fatal(err)
	}
	rep, err = a.Sync(ctx, "demo", app.SyncOptions{})
	if err != nil || rep.Deactivated != 1 {
		t.Fatalf("run after a deletion: %v %+v", err, rep.Run)
	}
}

package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/apptest"
	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// twoOUsLDIF holds the same uid in two OUs, and one uid in two cases.
func twoOUsLDIF() []byte {
	var b strings.Builder
	for _, ou := range []string{"a", "b"} {
		fmt.Fprintf(&b, "dn: ou=%s,%s\nobjectClass: organizationalUnit\nou: %s\n\n", ou, slapd.PeopleDN, ou)
	}
	for _, e := range []struct{ uid, ou string }{{"dup", "a"}, {"dup", "b"}, {"Case", "a"}, {"case", "b"}, {"alice", "a"}} {
		fmt.Fprintf(&b, "dn: uid=%s,ou=%s,%s\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: %s\nmail: %s.%s@example.com\n\n",
			e.uid, e.ou, slapd.PeopleDN, e.uid, e.uid, e.uid, e.uid, e.ou)
	}
	return []byte(b.String())
}

func slapdConnection(t *testing.T, a *app.App, name string, s *slapd.Server) {
	t.Helper()
	doc, _ := json.Marshal(map[string]any{
		"name": name, "friendlyName": name, "directoryType": "source", "systemType": "ldap",
		"dnsName": "127.0.0.1", "port": s.Port, "security": "none",
		"username": slapd.AdminDN, "password": slapd.AdminPassword,
		"searchPath": slapd.PeopleDN, "searchFilter": "(objectClass=inetOrgPerson)",
	})
	if _, _, err := a.ApplyConnection(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
}

// failedFor returns the reasons of a run's failed outcomes by userId.
func failedFor(t *testing.T, a *app.App, run int64) map[string][]string {
	t.Helper()
	outs, err := a.Store.ListOutcomes(context.Background(), run, store.OutcomeQuery{Action: store.ActionFailed})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, o := range outs {
		got[o.UserID] = append(got[o.UserID], o.Reason)
	}
	return got
}

// TestUniqueUserIDsOpenLDAP: each user must have a unique userId. Against a
// real slapd, on SQLite and PostgreSQL: the same uid in two OUs, one uid in
// two cases, and the same directory under a second connection give one
// active user per userId; every later one fails naming the holder, and the
// run warns. A local user cannot take a synced user's userId.
func TestUniqueUserIDsOpenLDAP(t *testing.T) {
	stores := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "usersync.db") },
		"postgres": func(t *testing.T) string { return pgtest.URL(t) },
	}
	for name, db := range stores {
		t.Run(name, func(t *testing.T) {
			srv := slapd.StartLDIF(t, twoOUsLDIF())
			t.Setenv("USERSYNC_SECRET_KEY", "")
			cfg := t.TempDir()
			t.Setenv("XDG_CONFIG_HOME", cfg)
			t.Setenv("HOME", cfg)
			ctx := context.Background()
			a := apptest.Open(t, db(t), nil)
			slapdConnection(t, a, "corp", srv)
			slapdConnection(t, a, "mirror", srv)

			// A dry run already shows the refusals.
			dry, err := a.Sync(ctx, "corp", app.SyncOptions{DryRun: true})
			if err != nil || dry.Created != 3 || dry.Failed != 2 {
				t.Fatalf("dry run = %+v, %v; want 3 created and 2 failed", dry.Counts, err)
			}
			rep, err := a.Sync(ctx, "corp", app.SyncOptions{})
			if err != nil || rep.Created != 3 || rep.Failed != 2 || rep.Status != store.RunSucceeded {
				t.Fatalf("first sync = %+v (%s), %v; want 3 created, 2 failed", rep.Counts, rep.Status, err)
			}
			failed := failedFor(t, a, rep.ID)
			if len(failed["dup"]) != 1 || !strings.Contains(failed["dup"][0], `already held by user "dup" of connection "corp"`) {
				t.Fatalf("second dup's outcome = %q, want a reason naming the first", failed["dup"])
			}
			lower := append(failed["case"], failed["Case"]...)
			if len(lower) != 1 || !strings.Contains(lower[0], "already held by user ") {
				t.Fatalf("case variant outcomes = %q", failed)
			}
			if !hasWarning(rep.Warnings, `userId "dup" is already held by`) {
				t.Fatalf("run warnings = %q, want one about dup", rep.Warnings)
			}
			wantActive(t, a, "dup", 1)
			wantActive(t, a, "CASE", 1)

			// The same directory under a second connection: every userId
			// is taken.
			rep, err = a.Sync(ctx, "mirror", app.SyncOptions{})
			if err != nil || rep.Created != 0 || rep.Failed != 5 {
				t.Fatalf("second connection = %+v, %v; want 5 failed, none created", rep.Counts, err)
			}
			if f := failedFor(t, a, rep.ID); len(f["alice"]) != 1 || !strings.Contains(f["alice"][0], `of connection "corp"`) {
				t.Fatalf("mirror's alice = %q", f["alice"])
			}
			wantActive(t, a, "alice", 1)

			// A later run of the first connection changes nothing and still
			// refuses the second dup.
			rep, err = a.Sync(ctx, "corp", app.SyncOptions{Full: true})
			if err != nil || rep.Created != 0 || rep.Failed != 2 || rep.Unchanged != 3 {
				t.Fatalf("second full sync = %+v, %v", rep.Counts, err)
			}

			// The refused entries leave the directory: the run after a
			// refusal is full (an incremental one would never try them
			// again), and with nothing refused the next one is incremental.
			l, err := ldap.DialURL(srv.URL())
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			if err := l.Bind(slapd.AdminDN, slapd.AdminPassword); err != nil {
				t.Fatal(err)
			}
			for _, dn := range []string{"uid=dup,ou=b,", "uid=case,ou=b,"} {
				if err := l.Del(ldap.NewDelRequest(dn+slapd.PeopleDN, nil)); err != nil {
					t.Fatal(err)
				}
			}
			rep, err = a.Sync(ctx, "corp", app.SyncOptions{})
			if err != nil || rep.Mode != store.ModeFull || rep.Failed != 0 || rep.Created != 0 || rep.Deactivated != 0 {
				t.Fatalf("sync after the refused entries left (%s) = %+v, %v", rep.Mode, rep.Counts, err)
			}

			// A new entry whose uid differs only in case, read by an
			// incremental run.
			add := ldap.NewAddRequest("uid=ALICE,ou=b,"+slapd.PeopleDN, nil)
			add.Attribute("objectClass", []string{"inetOrgPerson"})
			add.Attribute("uid", []string{"ALICE"})
			add.Attribute("cn", []string{"ALICE"})
			add.Attribute("sn", []string{"ALICE"})
			if err := l.Add(add); err != nil {
				t.Fatal(err)
			}
			rep, err = a.Sync(ctx, "corp", app.SyncOptions{})
			if err != nil || rep.Mode != store.ModeIncremental || rep.Created != 0 || rep.Failed != 1 {
				t.Fatalf("sync after adding ALICE (%s) = %+v, %v", rep.Mode, rep.Counts, err)
			}
			if f := failedFor(t, a, rep.ID); len(f["ALICE"]) != 1 || !strings.Contains(f["ALICE"][0], `"alice"`) {
				t.Fatalf("ALICE's outcome = %q", f)
			}
			wantActive(t, a, "alice", 1)

			// A one-user run (the "Add a directory user" page, which shares
			// the live path) refuses the same way.
			one, err := a.AddDirectoryUser(ctx, "mirror", "uid=alice,ou=a,"+slapd.PeopleDN, false)
			if err != nil || one.Created != 0 || one.Failed != 1 {
				t.Fatalf("one-user run of mirror's alice = %+v, %v; want it refused", one, err)
			}
			if f := failedFor(t, a, one.ID); len(f["alice"]) != 1 || !strings.Contains(f["alice"][0], `already held by user "alice" of connection "corp"`) {
				t.Fatalf("one-user alice's outcome = %q", f)
			}
			wantActive(t, a, "alice", 1)

			// A local user cannot take an active synced user's userId.
			_, err = a.AddLocalUser(ctx, app.LocalUser{UserID: "Alice", Password: "a-long-enough-password"})
			if err == nil || !strings.Contains(err.Error(), `userId "Alice" is already held by user "alice" of connection "corp"`) {
				t.Fatalf("local user Alice = %v, want a refusal naming the synced alice", err)
			}
		})
	}
}

func hasWarning(ws []string, sub string) bool {
	for _, w := range ws {
		if strings.Contains(w, sub) {
			return true
		}
	}
	return false
}

func wantActive(t *testing.T, a *app.App, userID string, n int) {
	t.Helper()
	us, err := a.Store.FindUsers(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	active := 0
	for _, u := range us {
		if u.Status == store.StatusActive {
			active++
		}
	}
	if active != n {
		t.Fatalf("%d active users with userId %q, want %d: %+v", active, userID, n, us)
	}
}

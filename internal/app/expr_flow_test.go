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
	"github.com/usersync/usersync/internal/testdir/apptest"
	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// threeSmithsLDIF holds three John Smiths; the first has a department.
func threeSmithsLDIF() []byte {
	var b strings.Builder
	for i := 1; i <= 3; i++ {
		fmt.Fprintf(&b, "dn: uid=js%d,%s\nobjectClass: inetOrgPerson\nuid: js%d\ncn: John Smith %d\ngivenName: John\nsn: Smith\n", i, slapd.PeopleDN, i, i)
		if i == 1 {
			b.WriteString("departmentNumber: R&D\n")
		}
		b.WriteString("\n")
	}
	return []byte(b.String())
}

// TestEntraExpressionsInARun: against a real slapd, on SQLite and
// PostgreSQL, SelectUniqueValue gives two users of one run different
// values and fails the third, naming the field, and a later run keeps each
// user's own value; IgnoreFlowIfNullOrEmpty leaves a field as it is when
// its attribute is removed, even though the mapping clears when empty.
func TestEntraExpressionsInARun(t *testing.T) {
	stores := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "usersync.db") },
		"postgres": func(t *testing.T) string { return pgtest.URL(t) },
	}
	for name, db := range stores {
		t.Run(name, func(t *testing.T) {
			srv := slapd.StartLDIF(t, threeSmithsLDIF())
			t.Setenv("USERSYNC_SECRET_KEY", "")
			cfg := t.TempDir()
			t.Setenv("XDG_CONFIG_HOME", cfg)
			t.Setenv("HOME", cfg)
			ctx := context.Background()
			a := apptest.Open(t, db(t), nil)
			doc, _ := json.Marshal(map[string]any{
				"name": "corp", "friendlyName": "corp", "directoryType": "source", "systemType": "ldap",
				"dnsName": "127.0.0.1", "port": srv.Port, "security": "none",
				"username": slapd.AdminDN, "password": slapd.AdminPassword,
				"searchPath": slapd.PeopleDN, "searchFilter": "(objectClass=inetOrgPerson)",
				"mappings": []map[string]any{
					{"source": "uid", "target": "userId"},
					{"source": "cn", "target": "displayName"},
					{"expression": `SelectUniqueValue(Join("@", Join(".", [givenName], [sn]), "contoso.com"), Join("@", Join(".", Left([givenName], 1), [sn]), "contoso.com"))`, "target": "email"},
					{"expression": `IgnoreFlowIfNullOrEmpty([departmentNumber])`, "target": "department", "clearWhenEmpty": true},
				},
			})
			if _, _, err := a.ApplyConnection(ctx, doc); err != nil {
				t.Fatal(err)
			}
			rep, err := a.Sync(ctx, "corp", app.SyncOptions{})
			if err != nil || rep.Created != 2 || rep.Failed != 1 {
				t.Fatalf("first sync = %+v, %v; want 2 created and 1 failed", rep.Counts, err)
			}
			emails := map[string]string{}
			for _, uid := range []string{"js1", "js2"} {
				us, err := a.Store.FindUsers(ctx, uid)
				if err != nil || len(us) != 1 {
					t.Fatalf("FindUsers(%s) = %v, %v", uid, us, err)
				}
				emails[us[0].Fields["email"]] = uid
			}
			if emails["John.Smith@contoso.com"] == "" || emails["J.Smith@contoso.com"] == "" {
				t.Fatalf("emails = %v, want John.Smith and J.Smith, one each", emails)
			}
			failed := failedFor(t, a, rep.ID)
			if r := failed["js3"]; len(r) != 1 || !strings.Contains(r[0], "email") || !strings.Contains(r[0], "taken") {
				t.Fatalf("js3's outcome = %q, want a failure naming email and the taken values", r)
			}

			// Explaining reaches the run's decisions: js1 holds its own value,
			// js3 still finds every candidate taken.
			for uid, want := range map[string]string{"js1": app.VerdictSynced, "js3": app.VerdictFailed} {
				exs, err := a.ExplainUser(ctx, "corp", uid)
				if err != nil || len(exs) != 1 || exs[0].Verdict != want {
					t.Fatalf("explain %s = %+v, %v; want verdict %s", uid, exs, err, want)
				}
				if uid == "js3" && !strings.Contains(exs[0].Reason, "taken") {
					t.Fatalf("explain js3 reason = %q, want the taken candidates", exs[0].Reason)
				}
			}

			// The department goes away in the directory: the field stays.
			l, err := ldap.DialURL(srv.URL())
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			if err := l.Bind(slapd.AdminDN, slapd.AdminPassword); err != nil {
				t.Fatal(err)
			}
			mod := ldap.NewModifyRequest("uid=js1,"+slapd.PeopleDN, nil)
			mod.Delete("departmentNumber", nil)
			if err := l.Modify(mod); err != nil {
				t.Fatal(err)
			}
			rep, err = a.Sync(ctx, "corp", app.SyncOptions{Full: true})
			if err != nil || rep.Created != 0 || rep.Failed != 1 {
				t.Fatalf("second sync = %+v, %v; want nothing created and js3 failing again", rep.Counts, err)
			}
			for email, uid := range emails {
				us, err := a.Store.FindUsers(ctx, uid)
				if err != nil || len(us) != 1 || us[0].Fields["email"] != email {
					t.Fatalf("after the second sync %s = %v, %v; want email %s kept", uid, us, err, email)
				}
				if uid == "js1" && us[0].Fields["department"] != "R&D" {
					t.Fatalf("js1's department = %q, want R&D left as it was", us[0].Fields["department"])
				}
			}
		})
	}
}

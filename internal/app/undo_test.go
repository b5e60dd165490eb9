package app_test

import (
	"context"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/apptest"
	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// TestUndoLeaveOnEveryStore: on SQLite and PostgreSQL, the undo of a run
// whose leave policy deactivated (clearing email) or deleted three users
// brings them back as they were, and the undo of that undo puts the store
// back as the run left it.
func TestUndoLeaveOnEveryStore(t *testing.T) {
	yes := true
	for _, tc := range []struct {
		store, action string
	}{
		{"sqlite", connection.LeaveDeactivate},
		{"sqlite", connection.LeaveDelete},
		{"postgres", connection.LeaveDeactivate},
		{"postgres", connection.LeaveDelete},
	} {
		t.Run(tc.store+"/"+tc.action, func(t *testing.T) {
			s := slapd.Start(t, 10, 0)
			cfg := t.TempDir()
			t.Setenv("XDG_CONFIG_HOME", cfg)
			t.Setenv("HOME", cfg)
			t.Setenv("USERSYNC_SECRET_KEY", "")
			t.Setenv("USERSYNC_SECRET_KEY_FILE", "")
			ctx := context.Background()
			db := ""
			if tc.store == "postgres" {
				db = pgtest.URL(t)
			}
			a := apptest.Open(t, db, nil)
			c := connection.Connection{Name: "corp", DirectoryType: connection.DirectorySource, SystemType: "ldap",
				DNSName: "127.0.0.1", Port: s.Port, Security: "none", Username: slapd.AdminDN, Password: slapd.AdminPassword,
				SearchPath: slapd.PeopleDN, SearchFilter: "(objectClass=inetOrgPerson)", Schedule: "off",
				LeavePolicy: connection.LeavePolicy{Action: tc.action},
				Mappings: []mapping.Mapping{{Source: "uid", Target: mapping.FieldUserID}, {Source: "displayName", Target: mapping.FieldName},
					{Source: "mail", Target: mapping.FieldEmail, Policy: &mapping.Policy{Delete: &yes}}}}
			if _, _, err := a.PutConnection(ctx, c); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Sync(ctx, "corp", app.SyncOptions{}); err != nil {
				t.Fatal(err)
			}
			before := usersOf(t, a)
			l, err := ldapv3.DialURL(s.URL())
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			if err := l.Bind(slapd.AdminDN, slapd.AdminPassword); err != nil {
				t.Fatal(err)
			}
			for i := 8; i <= 10; i++ {
				if err := l.Del(ldapv3.NewDelRequest(slapd.UserDN(i), nil)); err != nil {
					t.Fatal(err)
				}
			}
			left, err := a.Sync(ctx, "corp", app.SyncOptions{Full: true})
			if err != nil || left.Deactivated+left.Deleted != 3 {
				t.Fatalf("leave run: %+v, %v", left, err)
			}
			after := usersOf(t, a)
			undo, err := a.UndoRun(ctx, left.ID, false)
			if err != nil || undo.Status != store.RunSucceeded || undo.Updated+undo.Created != 3 {
				t.Fatalf("undo: %+v, %v", undo, err)
			}
			wantUsers(t, "after the undo", usersOf(t, a), before)
			redo, err := a.UndoRun(ctx, undo.ID, false)
			if err != nil || redo.Status != store.RunSucceeded {
				t.Fatalf("undo of the undo: %+v, %v", redo, err)
			}
			wantUsers(t, "after the undo of the undo", usersOf(t, a), after)
		})
	}
}

// usersOf returns "status email" by userId.
func usersOf(t *testing.T, a *app.App) map[string]string {
	t.Helper()
	us, err := a.Store.ListUsers(context.Background(), store.UserQuery{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, u := range us {
		out[u.UserID] = u.Status + " " + u.Fields[store.FieldEmail]
	}
	return out
}

func wantUsers(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d users, want %d: %q", what, len(got), len(want), got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("%s: %s is %q, want %q", what, k, got[k], v)
		}
	}
}

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

// TestLeavePolicyIncrementalPostgres: on PostgreSQL too, an incremental run
// that sees an entry deleted applies the leave policy (delete, or
// deactivate clearing the fields the mapping clears on leave) in the same
// transaction as the change token.
func TestLeavePolicyIncrementalPostgres(t *testing.T) {
	yes := true
	for _, tc := range []struct {
		action string
		status string // "" means deleted
	}{
		{connection.LeaveDeactivate, store.StatusInactive},
		{connection.LeaveDelete, ""},
	} {
		t.Run(tc.action, func(t *testing.T) {
			s := slapd.Start(t, 5, 0)
			cfg := t.TempDir() // the key file goes to the user's configuration directory
			t.Setenv("XDG_CONFIG_HOME", cfg)
			t.Setenv("HOME", cfg)
			t.Setenv("USERSYNC_SECRET_KEY", "")
			t.Setenv("USERSYNC_SECRET_KEY_FILE", "")
			ctx := context.Background()
			a := apptest.Open(t, pgtest.URL(t), nil)
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
			l, err := ldapv3.DialURL(s.URL())
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			if err := l.Bind(slapd.AdminDN, slapd.AdminPassword); err != nil {
				t.Fatal(err)
			}
			if err := l.Del(ldapv3.NewDelRequest(slapd.UserDN(2), nil)); err != nil {
				t.Fatal(err)
			}
			rep, err := a.Sync(ctx, "corp", app.SyncOptions{})
			if err != nil || rep.Mode != store.ModeIncremental {
				t.Fatalf("second sync: %v %+v", err, rep.Run)
			}
			u := stored(t, a, "corp", slapd.UID(2))
			switch {
			case tc.status == "" && (u != nil || rep.Deleted != 1):
				t.Fatalf("the leave policy deletes: %+v, user %+v", rep.Counts, u)
			case tc.status == "":
			case u == nil || u.Status != tc.status || u.Fields[mapping.FieldEmail] != "" || rep.Deactivated != 1:
				t.Fatalf("the user who left = %+v (counts %+v), want %s with email cleared", u, rep.Counts, tc.status)
			}
		})
	}
}

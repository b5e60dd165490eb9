package live_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/live"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/mapping/scope"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/apptest"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// TestLiveLeavePolicy: a delete that live mode sees is treated as a full run
// treats a user who left: the leave policy decides between deactivating and
// deleting, and a deactivation clears the fields the mapping clears on leave.
func TestLiveLeavePolicy(t *testing.T) {
	yes := true
	for _, tc := range []struct {
		action string
		// status is the leaver's status afterwards; "" means deleted.
		status string
	}{
		{connection.LeaveDeactivate, store.StatusInactive},
		{connection.LeaveDelete, ""},
	} {
		t.Run(tc.action, func(t *testing.T) {
			s := slapd.Start(t, 5, 0)
			t.Setenv("USERSYNC_SECRET_KEY", "")
			ctx := context.Background()
			a := apptest.Open(t, filepath.Join(t.TempDir(), "usersync.db"), slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
			c := connection.Connection{Name: "corp", DNSName: "127.0.0.1", Port: s.Port, Username: slapd.AdminDN, Password: slapd.AdminPassword,
				SearchPath: slapd.PeopleDN, SearchFilter: "(objectClass=inetOrgPerson)", Schedule: "off", Live: true,
				LeavePolicy: connection.LeavePolicy{Action: tc.action},
				Mappings: []mapping.Mapping{{Source: "uid", Target: mapping.FieldUserID}, {Source: "displayName", Target: mapping.FieldName},
					{Source: "mail", Target: mapping.FieldEmail, Policy: &mapping.Policy{Delete: &yes}}},
				Scope: &mapping.Scope{Clauses: []scope.Clause{{Attribute: "title", Operator: scope.NotEquals, Value: "Contractor"}}}}
			if _, _, err := a.PutConnection(ctx, c); err != nil {
				t.Fatal(err)
			}
			f := &live.Follower{App: a, Log: a.Log}
			fctx, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { defer close(done); f.Follow(fctx, "corp") }()
			defer func() { stop(); <-done }()
			waitFor(t, 30*time.Second, "initial refresh", func() bool {
				tok, _ := a.Store.ChangeToken(ctx, "corp")
				_, ok := userByID(t, a, slapd.UID(2))
				return tok != "" && ok
			})
			l, err := ldapv3.DialURL(s.URL())
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			if err := l.Bind(slapd.AdminDN, slapd.AdminPassword); err != nil {
				t.Fatal(err)
			}
			// User 2 is deleted; user 3 leaves the scope.
			if err := l.Del(ldapv3.NewDelRequest(slapd.UserDN(2), nil)); err != nil {
				t.Fatal(err)
			}
			m := ldapv3.NewModifyRequest(slapd.UserDN(3), nil)
			m.Replace("title", []string{"Contractor"})
			if err := l.Modify(m); err != nil {
				t.Fatal(err)
			}
			for _, i := range []int{2, 3} {
				waitFor(t, 10*time.Second, "the leave of "+slapd.UID(i), func() bool {
					outs, _ := a.Store.FindOutcomes(ctx, "corp", slapd.UID(i), 1)
					return len(outs) == 1 && outs[0].Action != store.ActionCreated
				})
				u, ok := userByID(t, a, slapd.UID(i))
				switch {
				case tc.status == "" && ok:
					t.Fatalf("the leave policy deletes, yet %s is still there: %+v", slapd.UID(i), u)
				case tc.status == "":
				case !ok:
					t.Fatalf("%s was deleted; the policy keeps them %s", slapd.UID(i), tc.status)
				case u.Status != tc.status || u.Fields[mapping.FieldEmail] != "":
					t.Fatalf("%s who left = %s %v, want %s with email cleared", slapd.UID(i), u.Status, u.Fields, tc.status)
				}
			}
		})
	}
}

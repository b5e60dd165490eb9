package app_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/mapping/scope"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/samba"
)

// Decisions as the three paths show them.
const (
	decActive     = "active"
	decInactive   = "inactive"
	decFailed     = "failed"
	decConflict   = "conflict"
	decDisabled   = "disabled"
	decOutOfScope = "outOfScope"
)

// fromExplain reads the decision out of an explanation.
func fromExplain(ex app.Explanation) string {
	switch ex.Verdict {
	case app.VerdictPending:
		if strings.Contains(ex.Reason, ", inactive (") {
			return decInactive
		}
		return decActive
	case app.VerdictSynced:
		return decActive
	case app.VerdictInactive:
		return decInactive
	case app.VerdictFailed:
		return decFailed
	case app.VerdictLocalConflict:
		return decConflict
	case app.VerdictDisabled:
		return decDisabled
	case app.VerdictOutOfScope:
		return decOutOfScope
	}
	return ex.Verdict + ": " + ex.Reason
}

// fromOutcome reads the decision out of what a run recorded for a user:
// its outcome (nil when none) and the stored user (nil when none).
func fromOutcome(o *store.Outcome, u *store.User) string {
	if o != nil {
		switch {
		case o.Action == store.ActionFailed:
			return decFailed
		case o.Action == store.ActionSkipped && strings.Contains(o.Reason, "local user"):
			return decConflict
		case o.Action == store.ActionSkipped && strings.Contains(o.Reason, "disabled"):
			return decDisabled
		case o.Action == store.ActionCreated && o.Reason == "":
			return decActive
		case o.Action == store.ActionCreated:
			return decInactive
		}
	}
	if u != nil {
		return u.Status
	}
	if o == nil {
		return decOutOfScope // the one decision a run records no outcome for
	}
	return o.Action + ": " + o.Reason
}

// TestOneDecisionEverywhere: `users explain`, a one-user add (dry run and
// real) and a full sync reach the same decision for the same entry, before
// and after the first sync, against a real Active Directory.
func TestOneDecisionEverywhere(t *testing.T) {
	dc := samba.StartWithUsers(t, 12)
	u := samba.GeneratedUserDN
	upn := func(i int) string { return samba.GeneratedUser(i).UserPrincipalName }
	dc.Replace(t, u(3), "mail", "not an email")
	dc.Replace(t, u(4), "userPrincipalName", "user00004") // no @
	dc.Replace(t, u(6), "title", "Contractor")
	dc.Replace(t, u(7), "displayName")
	dc.AddGroup(t, "Engineering", []string{u(1), u(2), u(3), u(4), u(6), u(7), u(10)})

	t.Setenv("USERSYNC_SECRET_KEY", "")
	ctx := context.Background()
	a, err := app.Open(ctx, filepath.Join(t.TempDir(), "usersync.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.Store.CreateEntity(ctx, "permissionSet", "Engineering"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Store.CreateLocalUser(ctx, store.User{UserID: upn(2), Fields: map[string]string{}}); err != nil {
		t.Fatal(err)
	}
	c := connection.Connection{Name: "corp", DirectoryType: connection.DirectorySource, SystemType: "ldap",
		DNSName: dc.Host, Port: 636, Security: "ldaps", CACertificate: string(dc.CAPEM),
		Username: dc.AdminDN, Password: dc.AdminPassword, SearchPath: samba.UsersDN,
		SearchFilter:  "(&(objectClass=user)(objectCategory=person)(sAMAccountName=user*))",
		DeletionGuard: connection.DeletionGuard{Disabled: true}, GroupStatusRule: true, Schedule: "off",
		Mappings: []mapping.Mapping{
			{Source: "userPrincipalName", Target: mapping.FieldUserID},
			{Source: "displayName", Target: mapping.FieldName},
			{Source: "mail", Target: mapping.FieldEmail, Strict: true},
		},
		Scope: &mapping.Scope{Clauses: []scope.Clause{{Attribute: "title", Operator: scope.IsNull}}},
	}
	if _, _, err := a.PutConnection(ctx, c); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		i    int
		want string
	}{
		{"synced", 1, decActive},
		{"local conflict", 2, decConflict},
		{"mapping failure", 3, decFailed},
		{"bad UPN", 4, decFailed},
		{"group status rule", 5, decInactive},
		{"out of scope", 6, decOutOfScope},
		{"no name", 7, decFailed},
		{"disabled account", 10, decDisabled},
	}
	check := func(t *testing.T, phase string, i int, want string, dry bool) {
		t.Helper()
		who := samba.GeneratedUser(i).SAMAccountName
		exs, err := a.ExplainUser(ctx, "corp", who)
		if err != nil || len(exs) != 1 {
			t.Fatalf("%s: explain %s: %v %+v", phase, who, err, exs)
		}
		if got := fromExplain(exs[0]); got != want {
			t.Errorf("%s: explain says %s (%s: %s), want %s", phase, got, exs[0].Verdict, exs[0].Reason, want)
		}
		rep, err := a.AddDirectoryUser(ctx, "corp", u(i), dry)
		if err != nil {
			t.Fatalf("%s: add %s: %v", phase, u(i), err)
		}
		if n := rep.Created + rep.Updated + rep.Unchanged + rep.Skipped + rep.Failed + rep.Deactivated; n != 1 {
			t.Errorf("%s: a one-user add counted %d users: %+v", phase, n, rep.Counts)
		}
		plan := rep.Plan
		if !dry {
			if plan, err = a.Store.ListOutcomes(ctx, rep.ID, store.OutcomeQuery{}); err != nil {
				t.Fatal(err)
			}
		}
		var o *store.Outcome
		for k := range plan {
			if plan[k].Reason != "group rules" {
				o = &plan[k]
			}
		}
		if got := fromOutcome(o, stored(t, a, upn(i))); got != want {
			t.Errorf("%s: a one-user add (dry run %v) decides %s (%+v, counts %+v), want %s", phase, dry, got, o, rep.Counts, want)
		}
	}
	for _, tt := range tests {
		t.Run("before the first sync/"+tt.name, func(t *testing.T) { check(t, "before", tt.i, tt.want, true) })
	}
	rep, err := a.Sync(ctx, "corp", app.SyncOptions{Full: true})
	if err != nil {
		t.Fatalf("sync: %v %+v", err, rep)
	}
	outs, err := a.Store.ListOutcomes(ctx, rep.ID, store.OutcomeQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run("the sync/"+tt.name, func(t *testing.T) {
			id := upn(tt.i)
			if tt.i == 4 {
				id = "user00004"
			}
			var o *store.Outcome
			for k := range outs {
				if strings.EqualFold(outs[k].UserID, id) && outs[k].Reason != "group rules" {
					o = &outs[k]
				}
			}
			if got := fromOutcome(o, stored(t, a, id)); got != tt.want {
				t.Errorf("the sync decides %s (%+v), want %s", got, o, tt.want)
			}
		})
	}
	for _, tt := range tests {
		t.Run("after the sync/"+tt.name, func(t *testing.T) { check(t, "after", tt.i, tt.want, false) })
	}
}

// stored returns the directory user of connection corp with userID, or nil.
func stored(t *testing.T, a *app.App, userID string) *store.User {
	t.Helper()
	users, err := a.Store.ListUsers(context.Background(), store.UserQuery{Connection: "corp", Search: userID})
	if err != nil {
		t.Fatal(err)
	}
	for k := range users {
		if strings.EqualFold(users[k].UserID, userID) && users[k].Source == store.SourceDirectory {
			return &users[k]
		}
	}
	return nil
}

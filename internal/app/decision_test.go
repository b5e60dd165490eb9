package app_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/mapping/scope"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/apptest"
	"github.com/usersync/usersync/internal/testdir/samba"
	"github.com/usersync/usersync/internal/testdir/slapd"
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
	a := apptest.Open(t, filepath.Join(t.TempDir(), "usersync.db"), nil)
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

	checkOneDecision(t, a, "corp", []decisionCase{
		{"synced", u(1), upn(1), decActive},
		{"local conflict", u(2), upn(2), decConflict},
		{"mapping failure", u(3), upn(3), decFailed},
		{"bad UPN", u(4), "user00004", decFailed},
		{"group status rule", u(5), upn(5), decInactive},
		{"out of scope", u(6), upn(6), decOutOfScope},
		{"no name", u(7), upn(7), decFailed},
		{"disabled account", u(10), upn(10), decDisabled},
	})
}

// decisionCase is one entry and the decision every path must reach.
type decisionCase struct {
	name, dn, userID, want string
}

// checkOneDecision asks explain and a one-user add (dry run) about each
// case, runs a full sync, then asks explain and a real one-user add again:
// all must reach the case's decision.
func checkOneDecision(t *testing.T, a *app.App, conn string, cases []decisionCase) {
	t.Helper()
	ctx := context.Background()
	check := func(t *testing.T, phase string, tc decisionCase, dry bool) {
		t.Helper()
		login := tc.userID
		if i := strings.IndexByte(login, '@'); i > 0 {
			login = login[:i]
		}
		exs, err := a.ExplainUser(ctx, conn, login)
		if err != nil || len(exs) != 1 {
			t.Fatalf("%s: explain %s: %v %+v", phase, login, err, exs)
		}
		if got := fromExplain(exs[0]); got != tc.want {
			t.Errorf("%s: explain says %s (%s: %s), want %s", phase, got, exs[0].Verdict, exs[0].Reason, tc.want)
		}
		rep, err := a.AddDirectoryUser(ctx, conn, tc.dn, dry)
		if err != nil {
			t.Fatalf("%s: add %s: %v", phase, tc.dn, err)
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
		if got := fromOutcome(o, stored(t, a, conn, tc.userID)); got != tc.want {
			t.Errorf("%s: a one-user add (dry run %v) decides %s (%+v, counts %+v), want %s", phase, dry, got, o, rep.Counts, tc.want)
		}
	}
	for _, tc := range cases {
		t.Run("before the first sync/"+tc.name, func(t *testing.T) { check(t, "before", tc, true) })
	}
	rep, err := a.Sync(ctx, conn, app.SyncOptions{Full: true})
	if err != nil {
		t.Fatalf("sync: %v %+v", err, rep)
	}
	outs, err := a.Store.ListOutcomes(ctx, rep.ID, store.OutcomeQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run("the sync/"+tc.name, func(t *testing.T) {
			var o *store.Outcome
			for k := range outs {
				if strings.EqualFold(outs[k].UserID, tc.userID) && outs[k].Reason != "group rules" {
					o = &outs[k]
				}
			}
			if got := fromOutcome(o, stored(t, a, conn, tc.userID)); got != tc.want {
				t.Errorf("the sync decides %s (%+v), want %s", got, o, tc.want)
			}
		})
	}
	for _, tc := range cases {
		t.Run("after the sync/"+tc.name, func(t *testing.T) { check(t, "after", tc, false) })
	}
}

// stored returns the directory user of connection conn with userID, or nil.
func stored(t *testing.T, a *app.App, conn, userID string) *store.User {
	t.Helper()
	users, err := a.Store.ListUsers(context.Background(), store.UserQuery{Connection: conn, Search: userID})
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

// TestOneDecisionEverywhereOpenLDAP is the same on OpenLDAP, where the
// group status rule reads the groups' member attribute instead of the
// users' memberOf. (Disabled accounts and UPN rules are Active Directory's.)
func TestOneDecisionEverywhereOpenLDAP(t *testing.T) {
	var b strings.Builder
	person := func(uid string, extra ...string) {
		fmt.Fprintf(&b, "dn: uid=%s,%s\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: %s\nmail: %s@example.com\n", uid, slapd.PeopleDN, uid, uid, uid, uid)
		for _, x := range extra {
			b.WriteString(x + "\n")
		}
		b.WriteString("\n")
	}
	person("alice", "displayName: Alice")
	person("bob", "displayName: Bob")
	person("carol", "displayName: Carol")
	person("dave", "displayName: Dave")
	person("erin", "displayName: Erin", "title: Contractor")
	person("frank")
	b.WriteString("dn: cn=Engineering," + slapd.GroupsDN + "\nobjectClass: groupOfNames\ncn: Engineering\n")
	for _, m := range []string{"alice", "bob", "carol", "erin", "frank"} {
		fmt.Fprintf(&b, "member: uid=%s,%s\n", m, slapd.PeopleDN)
	}
	s := slapd.StartLDIF(t, []byte(b.String()))
	l, err := ldapv3.DialURL(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Bind(slapd.AdminDN, slapd.AdminPassword); err != nil {
		t.Fatal(err)
	}
	m := ldapv3.NewModifyRequest("uid=carol,"+slapd.PeopleDN, nil)
	m.Replace("mail", []string{"not an email"})
	if err := l.Modify(m); err != nil {
		t.Fatal(err)
	}

	t.Setenv("USERSYNC_SECRET_KEY", "")
	ctx := context.Background()
	a := apptest.Open(t, filepath.Join(t.TempDir(), "usersync.db"), nil)
	if _, err := a.Store.CreateEntity(ctx, "permissionSet", "Engineering"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Store.CreateLocalUser(ctx, store.User{UserID: "bob", Fields: map[string]string{}}); err != nil {
		t.Fatal(err)
	}
	c := connection.Connection{Name: "corp", DirectoryType: connection.DirectorySource, SystemType: "ldap",
		DNSName: "127.0.0.1", Port: s.Port, Security: "none", Username: slapd.AdminDN, Password: slapd.AdminPassword,
		SearchPath: slapd.PeopleDN, SearchFilter: "(objectClass=inetOrgPerson)",
		DeletionGuard: connection.DeletionGuard{Disabled: true}, GroupStatusRule: true, Schedule: "off",
		Mappings: []mapping.Mapping{
			{Source: "uid", Target: mapping.FieldUserID},
			{Source: "displayName", Target: mapping.FieldName},
			{Source: "mail", Target: mapping.FieldEmail, Strict: true},
		},
		Scope: &mapping.Scope{Clauses: []scope.Clause{{Attribute: "title", Operator: scope.IsNull}}},
	}
	if _, _, err := a.PutConnection(ctx, c); err != nil {
		t.Fatal(err)
	}
	dn := func(uid string) string { return "uid=" + uid + "," + slapd.PeopleDN }
	checkOneDecision(t, a, "corp", []decisionCase{
		{"synced", dn("alice"), "alice", decActive},
		{"local conflict", dn("bob"), "bob", decConflict},
		{"mapping failure", dn("carol"), "carol", decFailed},
		{"group status rule", dn("dave"), "dave", decInactive},
		{"out of scope", dn("erin"), "erin", decOutOfScope},
		{"no name", dn("frank"), "frank", decFailed},
	})
}

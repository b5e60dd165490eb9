package app_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/apptest"
	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// TestLeaverLosesDirectoryMemberships: a user who leaves the directory or
// the scope becomes inactive and loses every group membership and the
// super-user flag the group rules gave, whichever kind of run notices
// (full, incremental, live, one user), or when an operator approves the
// deactivations the deletion guard held. A manual membership stays, unless
// the connection overwrites manual assignments.
func TestLeaverLosesDirectoryMemberships(t *testing.T) {
	for _, mode := range []string{"full", "incremental", "live", "one-user", "approved"} {
		for _, manual := range []string{connection.ManualKeep, connection.ManualOverwrite} {
			t.Run(mode+"/"+manual, func(t *testing.T) {
				leaverLosesMemberships(t, filepath.Join(t.TempDir(), "usersync.db"), mode, manual)
			})
		}
	}
	// PostgreSQL writes memberships with its own SQL.
	for _, mode := range []string{"incremental", "approved"} {
		t.Run("PostgreSQL/"+mode, func(t *testing.T) {
			leaverLosesMemberships(t, pgtest.URL(t), mode, connection.ManualOverwrite)
		})
	}
}

func leaverLosesMemberships(t *testing.T, db, mode, manual string) {
	s := slapd.Start(t, 10, 2) // group001: users 1, 3, 5, …; group002: users 2, 4, 6, …
	t.Setenv("USERSYNC_SECRET_KEY", "")
	ctx := context.Background()
	a := apptest.Open(t, db, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	for _, name := range []string{slapd.GroupName(1), slapd.GroupName(2), "Manual"} {
		if _, err := a.CreateEntity(ctx, "group", name); err != nil {
			t.Fatal(err)
		}
	}
	var inScope []string
	for i := 1; i <= 10; i++ {
		inScope = append(inScope, slapd.UserDN(i))
	}
	c := connection.Connection{Name: "corp", DirectoryType: connection.DirectorySource, SystemType: "ldap",
		DNSName: "127.0.0.1", Port: s.Port, Security: "none", Username: slapd.AdminDN, Password: slapd.AdminPassword,
		SearchPath: slapd.PeopleDN, SearchFilter: "(objectClass=inetOrgPerson)", Schedule: "off",
		GroupSearchPath: slapd.GroupsDN, AdminGroup: slapd.GroupName(1), ManualAssignments: manual,
		Scope:    &mapping.Scope{Users: inScope},
		Mappings: []mapping.Mapping{{Source: "uid", Target: mapping.FieldUserID}, {Source: "displayName", Target: mapping.FieldName}}}
	if _, _, err := a.PutConnection(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Sync(ctx, "corp", app.SyncOptions{Full: true}); err != nil {
		t.Fatal(err)
	}
	leaver := stored(t, a, "corp", slapd.UID(1))
	if leaver == nil || !leaver.SuperUser || !slices.Contains(groupNames(t, a, leaver.ID), slapd.GroupName(1)) {
		t.Fatalf("before leaving: user 1 = %+v with %v, want a super user in %s", leaver, groupNames(t, a, leaver.ID), slapd.GroupName(1))
	}
	if err := a.SetManualMembership(ctx, leaver.ID, "group", "Manual", true); err != nil {
		t.Fatal(err)
	}

	switch mode {
	case "full", "incremental":
		deleteEntry(t, s, slapd.UserDN(1))
		rep, err := a.Sync(ctx, "corp", app.SyncOptions{Full: mode == "full"})
		if err != nil || rep.Mode != mode || rep.Deactivated != 1 {
			t.Fatalf("sync after the delete: %v %+v, want a %s run that deactivates 1", err, rep, mode)
		}
	case "approved":
		for _, i := range []int{1, 2, 4, 6, 8, 10} { // enough to trip the guard
			deleteEntry(t, s, slapd.UserDN(i))
		}
		rep, err := a.Sync(ctx, "corp", app.SyncOptions{Full: true})
		if !errors.Is(err, reconcile.ErrGuardTipped) {
			t.Fatalf("sync deactivating 6 of 10: %v %+v, want the guard to hold it", err, rep)
		}
		if u := stored(t, a, "corp", slapd.UID(1)); u.Status != store.StatusActive || len(groupNames(t, a, u.ID)) != 2 {
			t.Fatalf("held by the guard, user 1 = %s with %v; want it untouched", u.Status, groupNames(t, a, u.ID))
		}
		if _, err := a.ApproveRun(ctx, rep.ID); err != nil {
			t.Fatal(err)
		}
	case "live":
		deleteEntry(t, s, slapd.UserDN(1))
		d, err := a.OpenDirectory(ctx, "corp")
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		rep, err := a.ApplyLive(ctx, d, reconcile.Changes{Deletes: []string{leaver.ExternalID}})
		if err != nil || rep.Deactivated != 1 {
			t.Fatalf("live batch deleting user 1: %v %+v", err, rep)
		}
	case "one-user":
		c.Scope = &mapping.Scope{Users: inScope[1:]}
		if _, _, err := a.PutConnection(ctx, c); err != nil {
			t.Fatal(err)
		}
		rep, err := a.AddDirectoryUser(ctx, "corp", slapd.UserDN(1), false)
		if err != nil || rep.Deactivated != 1 {
			t.Fatalf("adding user 1, now out of scope: %v %+v", err, rep)
		}
	}

	u := stored(t, a, "corp", slapd.UID(1))
	want := []string{"Manual"}
	if manual == connection.ManualOverwrite {
		want = nil
	}
	if got := groupNames(t, a, u.ID); u.Status != store.StatusInactive || u.SuperUser || !slices.Equal(got, want) {
		t.Fatalf("the leaver = %s, super user %v, groups %v; want inactive, no super user, groups %v", u.Status, u.SuperUser, got, want)
	}
	stay := stored(t, a, "corp", slapd.UID(3))
	if got := groupNames(t, a, stay.ID); !stay.SuperUser || !slices.Equal(got, []string{slapd.GroupName(1)}) {
		t.Fatalf("user 3, still in the directory, = super user %v with %v; want a super user in %s", stay.SuperUser, got, slapd.GroupName(1))
	}
}

// groupNames lists a user's group memberships, sorted.
func groupNames(t *testing.T, a *app.App, id int64) []string {
	t.Helper()
	ms, err := a.UserMemberships(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range ms {
		if m.Kind == "group" {
			names = append(names, m.Name)
		}
	}
	slices.Sort(names)
	return names
}

func deleteEntry(t *testing.T, s *slapd.Server, dn string) {
	t.Helper()
	l, err := ldapv3.DialURL(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Bind(slapd.AdminDN, slapd.AdminPassword); err != nil {
		t.Fatal(err)
	}
	if err := l.Del(ldapv3.NewDelRequest(dn, nil)); err != nil {
		t.Fatal(err)
	}
}

// TestEarlierLeaverLosesDirectoryMemberships: a full run also takes what
// the directory gave from an inactive user who left in an earlier run (as
// one that left before this rule, or while group rules were off, still
// holds it), and leaves users in the directory alone.
func TestEarlierLeaverLosesDirectoryMemberships(t *testing.T) {
	s := slapd.Start(t, 6, 2) // group001: users 1, 3, 5
	t.Setenv("USERSYNC_SECRET_KEY", "")
	ctx := context.Background()
	a := apptest.Open(t, filepath.Join(t.TempDir(), "usersync.db"), slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	g, err := a.CreateEntity(ctx, "group", slapd.GroupName(1))
	if err != nil {
		t.Fatal(err)
	}
	c := connection.Connection{Name: "corp", DirectoryType: connection.DirectorySource, SystemType: "ldap",
		DNSName: "127.0.0.1", Port: s.Port, Security: "none", Username: slapd.AdminDN, Password: slapd.AdminPassword,
		SearchPath: slapd.PeopleDN, SearchFilter: "(objectClass=inetOrgPerson)", Schedule: "off", GroupSearchPath: slapd.GroupsDN,
		Mappings: []mapping.Mapping{{Source: "uid", Target: mapping.FieldUserID}, {Source: "displayName", Target: mapping.FieldName}}}
	if _, _, err := a.PutConnection(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Sync(ctx, "corp", app.SyncOptions{Full: true}); err != nil {
		t.Fatal(err)
	}
	deleteEntry(t, s, slapd.UserDN(1))
	if rep, err := a.Sync(ctx, "corp", app.SyncOptions{Full: true}); err != nil || rep.Deactivated != 1 {
		t.Fatalf("sync after the delete: %v %+v", err, rep)
	}
	// The state a leaver kept before: its rule membership.
	u := stored(t, a, "corp", slapd.UID(1))
	if err := a.Store.ApplyMemberships(ctx, store.MembershipBatch{Add: []store.Membership{{UserRowID: u.ID, EntityID: g.ID, Source: store.RuleSource("corp")}}}); err != nil {
		t.Fatal(err)
	}
	if got := groupNames(t, a, u.ID); len(got) != 1 {
		t.Fatalf("setting up the old state: %v", got)
	}
	if rep, err := a.Sync(ctx, "corp", app.SyncOptions{Full: true}); err != nil || rep.Deactivated != 0 {
		t.Fatalf("the next full run: %v %+v", err, rep)
	}
	if got := groupNames(t, a, u.ID); len(got) != 0 {
		t.Fatalf("the earlier leaver keeps %v, want nothing", got)
	}
	if got := groupNames(t, a, stored(t, a, "corp", slapd.UID(3)).ID); !slices.Equal(got, []string{slapd.GroupName(1)}) {
		t.Fatalf("user 3, still in the directory, = %v", got)
	}
}

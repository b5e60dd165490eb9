package app_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/testdir/apptest"
	"github.com/usersync/usersync/internal/testdir/samba"
)

// TestEntraExpressionsActiveDirectory: against a real Active Directory,
// StringFromSid gives objectSid's S-1-5-21-… form, DNComponent(CRef(...))
// reads a DN's parts, SelectUniqueValue keeps two namesakes of one run
// apart and fails the third, and IgnoreFlowIfNullOrEmpty keeps a field
// whose attribute is removed.
func TestEntraExpressionsActiveDirectory(t *testing.T) {
	dc := samba.StartWithUsers(t, 3)
	for i := 1; i <= 3; i++ {
		dc.Replace(t, samba.GeneratedUserDN(i), "givenName", "John")
		dc.Replace(t, samba.GeneratedUserDN(i), "sn", "Smith")
	}
	t.Setenv("USERSYNC_SECRET_KEY", "")
	ctx := context.Background()
	a := apptest.Open(t, filepath.Join(t.TempDir(), "usersync.db"), nil)
	c := connection.Connection{Name: "corp", DirectoryType: connection.DirectorySource, SystemType: "ldap",
		DNSName: dc.Host, Port: 636, Security: "ldaps", CACertificate: string(dc.CAPEM),
		Username: dc.AdminDN, Password: dc.AdminPassword, SearchPath: samba.UsersDN,
		SearchFilter:  "(&(objectClass=user)(objectCategory=person)(sAMAccountName=user*))",
		DeletionGuard: connection.DeletionGuard{Disabled: true}, Schedule: "off",
		Mappings: []mapping.Mapping{
			{Source: "userPrincipalName", Target: mapping.FieldUserID},
			{Source: "displayName", Target: mapping.FieldName},
			{Expression: `StringFromSid([objectSid])`, Target: "sid"},
			{Expression: `DNComponent(CRef([distinguishedName]), 2)`, Target: "container"},
			{Expression: `SelectUniqueValue(Join("@", Join(".", [givenName], [sn]), "contoso.com"), Join("@", Join(".", Left([givenName], 1), [sn]), "contoso.com"))`, Target: mapping.FieldEmail},
			{Expression: `IgnoreFlowIfNullOrEmpty([department])`, Target: "department", ClearWhenEmpty: true},
		},
	}
	if _, _, err := a.PutConnection(ctx, c); err != nil {
		t.Fatal(err)
	}
	rep, err := a.Sync(ctx, "corp", app.SyncOptions{})
	if err != nil || rep.Created != 2 || rep.Failed != 1 {
		t.Fatalf("first sync = %+v, %v; want 2 created and 1 failed", rep.Counts, err)
	}
	emails := map[string]bool{}
	first := 0 // a created user
	for i := 1; i <= 3; i++ {
		upn := samba.GeneratedUser(i).UserPrincipalName
		us, err := a.Store.FindUsers(ctx, upn)
		if err != nil {
			t.Fatal(err)
		}
		if len(us) == 0 {
			continue
		}
		f := us[0].Fields
		if !strings.HasPrefix(f["sid"], "S-1-5-21-") || f["container"] != "Users" {
			t.Fatalf("%s: sid %q, container %q; want S-1-5-21-… and Users", upn, f["sid"], f["container"])
		}
		emails[f[mapping.FieldEmail]] = true
		if first == 0 {
			first = i
		}
	}
	if !emails["John.Smith@contoso.com"] || !emails["J.Smith@contoso.com"] {
		t.Fatalf("emails = %v, want John.Smith and J.Smith", emails)
	}
	dept := samba.GeneratedUser(first).Department
	dc.Replace(t, samba.GeneratedUserDN(first), "department")
	rep, err = a.Sync(ctx, "corp", app.SyncOptions{Full: true})
	if err != nil || rep.Created != 0 || rep.Failed != 1 {
		t.Fatalf("second sync = %+v, %v", rep.Counts, err)
	}
	us, err := a.Store.FindUsers(ctx, samba.GeneratedUser(first).UserPrincipalName)
	if err != nil || len(us) != 1 {
		t.Fatalf("user %d = %v, %v", first, us, err)
	}
	if us[0].Fields["department"] != dept {
		t.Fatalf("department = %q, want %q kept after the attribute was removed", us[0].Fields["department"], dept)
	}
}

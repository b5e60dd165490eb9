package acceptance

import (
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/testdir/samba"
)

// Sentences about GE APM's Active Directory synchronization (users, permission
// sets, groups and sites from directory groups).

// "If the APM system finds a user ... who does not have a corresponding APM
// User record: A User record will be created", with its fields filled "using
// AD Field Mapping records".
func TestSeed002_UserWithoutRecordIsCreatedWithMappedFields(t *testing.T) {
	ou := newOU(t)
	ou.addUser("jane", samba.UserSpec{GivenName: "Jane", Surname: "Doe", DisplayName: "Jane Doe", Mail: "jane@example.test", Department: "Finance"})
	a := newAdmin(t)
	a.apply(ou.source("ad", nil))
	rep := a.mustSync("ad")
	if rep.Created != 1 {
		t.Fatalf("created %d, want 1: %+v", rep.Created, rep)
	}
	u := a.user(ou.upn("jane"))
	want := map[string]string{"displayName": "Jane Doe", "firstName": "Jane", "lastName": "Doe", "email": "jane@example.test", "department": "Finance"}
	for field, v := range want {
		if u.Fields[field] != v {
			t.Errorf("%s = %q, want %q", field, u.Fields[field], v)
		}
	}
}

// "userPrincipalName in Microsoft Azure Active Directory field value will
// become the APM User ID for the user."
func TestSeed002_UserPrincipalNameBecomesUserID(t *testing.T) {
	ou := newOU(t)
	ou.addUser("upn", samba.UserSpec{SAMAccountName: ou.sam("other"), UserPrincipalName: ou.prefix + "First.Last@example.test"})
	a := newAdmin(t)
	a.apply(ou.source("ad", nil))
	a.mustSync("ad")
	if got := a.active(ou.prefix + "First.Last@example.test"); len(got) != 1 {
		t.Fatalf("active users with the UPN as user ID: %d, want 1 (users %+v)", len(got), a.users())
	}
}

// "Each APM User must have a unique User ID": two directories holding the
// same UPN (in different case) give one active user, and the second is
// reported, not silently merged or duplicated, in either store.
func TestSeed002_EachUserMustHaveUniqueUserID(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			ou := newOU(t)
			ou.addUser("dup", samba.UserSpec{})
			s := startSlapd(t, []ldapUser{{uid: strings.ToUpper(ou.upn("dup")), attrs: map[string][]string{"mail": {"dup@example.com"}}}}, nil)
			a := st.newAdmin(t)
			a.apply(ou.source("ad", nil))
			a.apply(slapdSource(s, "ldap", nil))
			a.mustSync("ad")
			rep, _ := a.sync("ldap")
			if n := len(a.active(ou.upn("dup"))); n != 1 {
				t.Fatalf("%d active users share the user ID %q, want 1", n, ou.upn("dup"))
			}
			if rep.Created != 0 || rep.Skipped+rep.Failed != 1 {
				t.Fatalf("second connection's run: %+v, want the duplicate skipped or failed", rep)
			}
		})
	}
}

// "Any changes done in userPrincipalName ... will create a new user in APM
// as UserID is a unique identifier": in the UPN identity mode a renamed UPN
// is a new user and the old one is deactivated.
func TestSeed002_ChangedUserPrincipalNameCreatesNewUser(t *testing.T) {
	ou := newOU(t)
	dn := ou.addUser("ren", samba.UserSpec{})
	a := newAdmin(t)
	a.apply(ou.source("ad", map[string]any{"identityMode": "upn"}))
	a.mustSync("ad")
	old := a.user(ou.upn("ren"))
	ou.dc.Replace(t, dn, "userPrincipalName", ou.upn("renamed"))
	a.mustSync("ad")
	if got := a.user(ou.upn("ren")); got.Status != "inactive" {
		t.Errorf("old user is %s, want inactive", got.Status)
	}
	nu := a.user(ou.upn("renamed"))
	if nu.ID == old.ID || nu.Status != "active" {
		t.Fatalf("renamed UPN gave user %d (%s), want a new active user beside %d", nu.ID, nu.Status, old.ID)
	}
}

// "If the Microsoft Azure Active Directory user is locked out ..., the user
// will not be locked in APM database", whichever kind of run sees it.
func TestSeed002_LockedOutUserIsNotLocked(t *testing.T) {
	for _, mode := range []string{"full", "incremental"} {
		t.Run(mode, func(t *testing.T) {
			ou := newOU(t)
			dn := ou.addUser("locked", samba.UserSpec{Password: "Locked-Pw-123"})
			a := newAdmin(t)
			a.apply(ou.source("ad", nil))
			a.mustSync("ad")
			ou.dc.LockOut(t, dn)
			var extra []string
			if mode == "full" {
				extra = []string{"--full"}
			}
			if rep := a.mustSync("ad", extra...); rep.Mode != mode || rep.Deactivated != 0 {
				t.Fatalf("run %+v: want a %s run deactivating nobody", rep, mode)
			}
			if u := a.user(ou.upn("locked")); u.Status != "active" {
				t.Fatalf("locked-out user is %s, want active", u.Status)
			}
		})
	}
}

// "All the settings specified in the User Preferences, including Time Zone,
// System of Measure, Culture, and Language are assigned to new users" (and
// only to new ones).
func TestSeed002_UserPreferencesAssignedToNewUsers(t *testing.T) {
	ou := newOU(t)
	ou.addUser("old", samba.UserSpec{})
	a := newAdmin(t)
	a.apply(ou.source("ad", nil))
	a.mustSync("ad")
	tmpl := map[string]any{"timeZone": "Europe/Rome", "systemOfMeasure": "imperial", "culture": "it-IT", "language": "it"}
	a.apply(ou.source("ad", map[string]any{"template": tmpl}))
	ou.addUser("new", samba.UserSpec{})
	a.mustSync("ad")
	nu := a.user(ou.upn("new"))
	for field, v := range tmpl {
		if nu.Fields[field] != v {
			t.Errorf("new user's %s = %q, want %q", field, nu.Fields[field], v)
		}
	}
	if old := a.user(ou.upn("old")); old.Fields["timeZone"] != "" {
		t.Errorf("existing user got the new-user preference timeZone %q", old.Fields["timeZone"])
	}
}

// "The synchronization process will import to APM only the changes ... since
// the last synchronization ran": the second run reads only what changed.
func TestSeed002_SecondRunImportsOnlyChanges(t *testing.T) {
	ou := newOU(t)
	for _, n := range []string{"a1", "a2", "a3"} {
		ou.addUser(n, samba.UserSpec{})
	}
	a := newAdmin(t)
	a.apply(ou.source("ad", nil))
	first := a.mustSync("ad")
	ou.addUser("a4", samba.UserSpec{})
	second := a.mustSync("ad")
	if second.Mode != "incremental" || second.Created != 1 || second.EntriesRead >= first.EntriesRead+1 {
		t.Fatalf("second run %+v after first %+v: want incremental, 1 created, fewer entries read", second, first)
	}
}

// "User Status after AD Synchronization": a user whose directory account is
// deleted becomes inactive, whichever kind of run notices.
func TestSeed002_DeletedAccountMakesUserInactive(t *testing.T) {
	for _, mode := range []string{"full", "incremental"} {
		t.Run(mode, func(t *testing.T) {
			ou := newOU(t)
			dn := ou.addUser("gone", samba.UserSpec{})
			ou.addUser("stays", samba.UserSpec{})
			a := newAdmin(t)
			a.apply(ou.source("ad", nil))
			a.mustSync("ad")
			ou.dc.Delete(t, dn)
			var extra []string
			if mode == "full" {
				extra = []string{"--full"}
			}
			rep := a.mustSync("ad", extra...)
			if rep.Mode != mode {
				t.Fatalf("run mode %s, want %s", rep.Mode, mode)
			}
			if u := a.user(ou.upn("gone")); u.Status != "inactive" {
				t.Fatalf("deleted account's user is %s, want inactive", u.Status)
			}
			if u := a.user(ou.upn("stays")); u.Status != "active" {
				t.Fatalf("the other user is %s, want active", u.Status)
			}
		})
	}
}

package acceptance

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/testdir/samba"
)

// Sentences about Active Directory user names (Metasys), adding a directory user,
// and local accounts.

// "If you rename the user's login name, the Metasys Administrator must
// synchronize the user with Active Directory service before the rename is
// recognized": after a sync the same user carries the new name.
func TestSeed001_RenamedLoginNameIsRecognizedAfterSync(t *testing.T) {
	ou := newOU(t)
	dn := ou.addUser("before", samba.UserSpec{})
	a := newAdmin(t)
	a.apply(ou.source("ad", nil))
	a.mustSync("ad")
	old := a.user(ou.upn("before"))
	ou.dc.Replace(t, dn, "userPrincipalName", ou.upn("after"))
	ou.dc.Replace(t, dn, "sAMAccountName", ou.sam("after"))
	a.mustSync("ad")
	renamed := a.user(ou.upn("after"))
	if renamed.ID != old.ID || renamed.Status != "active" {
		t.Fatalf("renamed login gave user %d (%s), want the same user %d, active", renamed.ID, renamed.Status, old.ID)
	}
}

// "If you change the domain specifier for the user (that is, move the user
// to another domain), you must delete the original user, then re-add the
// user ... using the new domain name": usersync does it itself, a new user
// for the new domain and the original one deactivated.
func TestSeed001_ChangedDomainSpecifierMakesANewUser(t *testing.T) {
	ou := newOU(t)
	dn := ou.addUser("mover", samba.UserSpec{})
	a := newAdmin(t)
	a.apply(ou.source("ad", nil))
	a.mustSync("ad")
	old := a.user(ou.upn("mover"))
	moved := ou.prefix + "mover@corp.example.test"
	ou.dc.Replace(t, dn, "userPrincipalName", moved)
	a.mustSync("ad")
	nu := a.user(moved)
	if nu.ID == old.ID || nu.Status != "active" {
		t.Fatalf("moved user is %d (%s), want a new active user beside %d", nu.ID, nu.Status, old.ID)
	}
	if got := a.user(ou.upn("mover")); got.Status != "inactive" {
		t.Fatalf("the original user is %s, want inactive", got.Status)
	}
}

// "{User Login Name}@{Domain Specifier} ... the domain specifier can be
// either at the domain level or at the forest level", and "If the hybrid
// UPN format is the only UPN format available, the domain specifier must be
// a fully qualified domain name": a UPN outside the accepted specifiers, or
// not fully qualified when that is required, fails with the reason.
func TestSeed001_DomainSpecifierMustBeAcceptedAndQualified(t *testing.T) {
	for _, tc := range []struct {
		name   string
		good   []string // accepted domain specifiers
		bad    string
		extra  map[string]any
		reason string
	}{
		{"unknown specifier", []string{"example.test", "corp.example.test"}, "other.test",
			map[string]any{"upnSuffixes": []string{"example.test", "corp.example.test"}}, "other.test"},
		{"not fully qualified", []string{"example.test"}, "example", map[string]any{"requireFqdnUpn": true}, "example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ou := newOU(t)
			for i, suffix := range tc.good {
				login := fmt.Sprintf("good%d", i)
				ou.addUser(login, samba.UserSpec{UserPrincipalName: ou.prefix + login + "@" + suffix})
			}
			ou.addUser("bad", samba.UserSpec{UserPrincipalName: ou.prefix + "bad@" + tc.bad})
			a := newAdmin(t)
			a.apply(ou.source("ad", tc.extra))
			rep, _ := a.sync("ad")
			if rep.Created != len(tc.good) || rep.Failed+rep.Skipped != 1 {
				t.Fatalf("run %+v: want the %d good users created and the bad one refused", rep, len(tc.good))
			}
			for _, o := range a.outcomes(rep.ID) {
				if (o.Action == "failed" || o.Action == "skipped") && !strings.Contains(o.Reason, tc.reason) {
					t.Errorf("reason %q does not name %q", o.Reason, tc.reason)
				}
			}
		})
	}
}

// "You can add an Active Directory service user" one at a time ("Add Active
// Directory User"): one match is added, several are listed for the operator
// to choose, none is an error.
func TestSeed001_AddOneActiveDirectoryUser(t *testing.T) {
	ou := newOU(t)
	ou.addUser("alpha", samba.UserSpec{DisplayName: "Alpha One"})
	ou.addUser("alphabet", samba.UserSpec{})
	ou.addUser("beta", samba.UserSpec{})
	a := newAdmin(t)
	a.apply(ou.source("ad", nil))
	out, errOut, code := a.run("users", "add", "--connection", "ad", ou.upn("alpha"))
	if code != exitOK {
		t.Fatalf("users add one match: exit %d\n%s%s", code, out, errOut)
	}
	users := a.users()
	if len(users) != 1 || !strings.EqualFold(users[0].UserID, ou.upn("alpha")) {
		t.Fatalf("after adding one user the store holds %+v", users)
	}
	if _, _, code := a.run("users", "add", "--connection", "ad", ou.prefix+"alpha"); code != exitBadInput {
		t.Errorf("users add with several matches: exit %d, want %d", code, exitBadInput)
	}
	if _, _, code := a.run("users", "add", "--connection", "ad", ou.prefix+"nobody"); code != exitFailed {
		t.Errorf("users add with no match: exit %d, want %d", code, exitFailed)
	}
	if n := len(a.users()); n != 1 {
		t.Errorf("the refused adds changed the store: %d users", n)
	}
}

// Adding one user applies the same rules as a sync: on Active Directory the
// user's group memberships are kept.
func TestSeed001_AddOneUserKeepsGroupMembershipsOnAD(t *testing.T) {
	ou := newOU(t)
	u := ou.addUser("member", samba.UserSpec{})
	ou.addGroup("Engineering", u)
	a := newAdmin(t)
	a.must("permission-set", "add", "Engineering")
	a.apply(ou.source("ad", map[string]any{"groupSearchPath": ou.dn}))
	a.mustSync("ad")
	a.must("users", "add", "--connection", "ad", ou.upn("member"))
	if _, ok := a.memberships(ou.upn("member"))["permissionSet:Engineering"]; !ok {
		t.Fatalf("after users add the user lost permission set Engineering: %v", a.memberships(ou.upn("member")))
	}
}

// "The new Active Directory service user account is not linked in any way
// to the Metasys local account. Therefore, the local account remains under
// control of existing Metasys system tools, including password changes."
func TestSeed001_LocalAccountIsNotTouchedBySync(t *testing.T) {
	ou := newOU(t)
	ou.addUser("both", samba.UserSpec{DisplayName: "From AD"})
	a := newAdmin(t)
	if out, errOut, code := a.runIn("Local-Pw-12345\n", "users", "add-local", ou.upn("both"), "--display-name", "Local"); code != exitOK {
		t.Fatalf("users add-local: exit %d %s%s", code, out, errOut)
	}
	a.apply(ou.source("ad", nil))
	rep, _ := a.sync("ad")
	if rep.Created != 0 || rep.Skipped+rep.Failed != 1 {
		t.Fatalf("run %+v: want the directory user reported as a conflict, not created", rep)
	}
	var local appUser
	for _, u := range a.users() {
		if u.Source == "local" {
			local = u
		}
	}
	if local.Fields["displayName"] != "Local" || local.Status != "active" {
		t.Fatalf("local user after sync: %+v", local)
	}
	out, errOut, code := a.runIn("Local-Pw-12345\n", "auth", "check", ou.upn("both"))
	if code != exitOK || !strings.Contains(out, "local") {
		t.Fatalf("the local password no longer works: exit %d %s%s", code, out, errOut)
	}
}

// "An Active Directory service fully qualified username consists of ... the
// user login name, an at sign (@), and the domain specifier": a directory
// user authenticates as login@domain, and as DOMAIN\login where the login is
// the account's sAMAccountName.
func TestSeed001_DirectoryUserAuthenticatesByUPNAndDomainLogin(t *testing.T) {
	ou := newOU(t)
	// The UPN prefix differs from the sAMAccountName, as it often does.
	ou.addUser("auth", samba.UserSpec{SAMAccountName: ou.sam("jdoe"), UserPrincipalName: ou.prefix + "john.doe@example.test", Password: "Auth-Pw-12345"})
	a := newAdmin(t)
	a.apply(ou.source("ad", nil))
	a.mustSync("ad")
	for _, tc := range []struct{ name, user string }{
		{"UPN", ou.prefix + "john.doe@example.test"},
		{"DOMAIN backslash sAMAccountName", ou.dc.Domain + `\` + ou.sam("jdoe")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := a.runIn("Auth-Pw-12345\n", "auth", "check", tc.user)
			if code != exitOK {
				t.Fatalf("auth check %s: exit %d %s%s", tc.user, code, out, errOut)
			}
			if _, _, code := a.runIn("Wrong-Pw-12345\n", "auth", "check", tc.user); code == exitOK {
				t.Fatalf("auth check %s accepted a wrong password", tc.user)
			}
		})
	}
}

// "Keep the Metasys local user account active as a backup account in case
// the Active Directory service becomes temporarily unavailable": with the
// directory down, the local account still logs in, a directory user's login
// says the directory is unreachable, and a sync fails without deactivating
// anyone.
func TestSeed001_LocalAccountWorksWhileDirectoryIsUnavailable(t *testing.T) {
	// A DC of its own, since this test stops it.
	dc := samba.Start(t)
	ou := newOUOn(t, dc)
	ou.addUser("dir", samba.UserSpec{Password: "Dir-Pw-12345"})
	a := newAdmin(t)
	a.apply(ou.source("ad", nil))
	a.mustSync("ad")
	if out, errOut, code := a.runIn("Local-Pw-12345\n", "users", "add-local", "backup", "--display-name", "Backup"); code != exitOK {
		t.Fatalf("users add-local: exit %d %s%s", code, out, errOut)
	}
	if out, errOut, code := a.runIn("Dir-Pw-12345\n", "auth", "check", ou.upn("dir")); code != exitOK {
		t.Fatalf("directory user with the directory up: exit %d %s%s", code, out, errOut)
	}
	if err := dc.Close(); err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := a.runIn("Local-Pw-12345\n", "auth", "check", "backup"); code != exitOK {
		t.Fatalf("local backup account with the directory down: exit %d %s%s", code, out, errOut)
	}
	out, errOut, code := a.runIn("Dir-Pw-12345\n", "auth", "check", ou.upn("dir"))
	if code == exitOK || !strings.Contains(out+errOut, "unreachable") {
		t.Fatalf("directory user with the directory down: exit %d, want a failure saying unreachable:\n%s%s", code, out, errOut)
	}
	rep, code := a.sync("ad", "--full")
	if code == exitOK || rep.Deactivated != 0 {
		t.Fatalf("sync with the directory down: exit %d %+v, want a failed run deactivating nobody", code, rep)
	}
	if len(a.active(ou.upn("dir"))) != 1 {
		t.Fatalf("the directory user was deactivated by a failed read")
	}
}

// "If you rename the user's login name ... The user cannot use SSO
// login-free access to the Metasys system until the synchronization
// occurs": the new name logs in only after a sync, as the same user.
func TestSeed001_RenamedUserLogsInWithTheNewNameAfterSync(t *testing.T) {
	ou := newOU(t)
	dn := ou.addUser("old", samba.UserSpec{Password: "Rename-Pw-123"})
	a := newAdmin(t)
	a.apply(ou.source("ad", nil))
	a.mustSync("ad")
	before := a.user(ou.upn("old"))
	ou.dc.Replace(t, dn, "userPrincipalName", ou.upn("new"))
	if out, errOut, code := a.runIn("Rename-Pw-123\n", "auth", "check", ou.upn("new")); code == exitOK {
		t.Fatalf("the new name logged in before the sync:\n%s%s", out, errOut)
	}
	a.mustSync("ad")
	out, errOut, code := a.runIn("Rename-Pw-123\n", "auth", "check", ou.upn("new"))
	if code != exitOK {
		t.Fatalf("the new name does not log in after the sync: exit %d\n%s%s", code, out, errOut)
	}
	if after := a.user(ou.upn("new")); after.ID != before.ID {
		t.Fatalf("the renamed login is user %d, want the same user %d", after.ID, before.ID)
	}
}

// "Add Active Directory User" through the API the web screen uses: search
// the directory, show the plan (writing nothing), then add.
func TestSeed001_AddOneActiveDirectoryUserThroughAPI(t *testing.T) {
	ou := newOU(t)
	ou.addUser("webadd", samba.UserSpec{DisplayName: "Web Add"})
	a := newAdmin(t)
	a.apply(ou.source("ad", nil))
	api := a.serve()
	var found struct {
		Users []struct {
			DN     string `json:"dn"`
			UserID string `json:"userId"`
		} `json:"users"`
	}
	body := api.must(200, "GET", "/api/v1/connections/ad/directory-users?q="+url.QueryEscape(ou.prefix+"webadd"), "")
	if err := json.Unmarshal([]byte(body), &found); err != nil || len(found.Users) != 1 {
		t.Fatalf("search: want one entry (%v):\n%s", err, body)
	}
	req, _ := json.Marshal(map[string]any{"dn": found.Users[0].DN, "dryRun": true})
	api.must(200, "POST", "/api/v1/connections/ad/directory-users/add", string(req))
	if n := len(a.users()); n != 0 {
		t.Fatalf("the plan wrote %d users", n)
	}
	req, _ = json.Marshal(map[string]any{"dn": found.Users[0].DN})
	api.must(200, "POST", "/api/v1/connections/ad/directory-users/add", string(req))
	if u := a.user(ou.upn("webadd")); u.Status != "active" || u.Fields["displayName"] != "Web Add" {
		t.Fatalf("added user %+v", u)
	}
}

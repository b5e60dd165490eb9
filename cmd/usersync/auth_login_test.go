package main

import (
	"fmt"

	ldapv3 "github.com/go-ldap/ldap/v3"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/testdir/samba"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// edFilter selects the users of the login tests: the generated ones and
// those whose sAMAccountName starts with "ed".
const edFilter = "(&(objectClass=user)(objectCategory=person)(|(sAMAccountName=user*)(sAMAccountName=ed*)))"

const edPassword = "Ed-Secret-4711"

// startLoginAD starts a DC with a user whose sAMAccountName (edsam) is not
// the prefix of its UPN (ed.long@example.test), and a user out of the
// connection's filter, and syncs connection "ad" to it.
func startLoginAD(t *testing.T) (*samba.DC, *cli) {
	t.Helper()
	dc := samba.StartWithUsers(t, 10)
	dc.AddUsers(t, 2, func(i int) samba.UserSpec {
		return []samba.UserSpec{
			{SAMAccountName: "edsam", CN: "Ed Long", UserPrincipalName: "ed.long@example.test", Password: edPassword},
			{SAMAccountName: "outsider", UserPrincipalName: "out.sider@example.test", Password: edPassword},
		}[i]
	})
	c := newCLI(t)
	c.apply(adDoc(dc, map[string]any{"searchFilter": edFilter}))
	c.mustSync("ad")
	return dc, c
}

// TestADLoginBySAMAccountName: DOMAIN\login and a bare login name the user
// whose sAMAccountName is login, as Windows reads them, not the user whose
// UPN starts with login; the NetBIOS domain is read from the directory.
func TestADLoginBySAMAccountName(t *testing.T) {
	_, c := startLoginAD(t)
	for _, tc := range []struct {
		name, user, password string
		wantCode             int
		want                 string
	}{
		{"netbios and sAMAccountName", `EXAMPLE\edsam`, edPassword, 0, "authenticated ed.long@example.test"},
		{"netbios lower case", `example\EDSAM`, edPassword, 0, "authenticated ed.long@example.test"},
		{"bare sAMAccountName", "edsam", edPassword, 0, "authenticated ed.long@example.test"},
		{"UPN", "ed.long@example.test", edPassword, 0, "authenticated ed.long@example.test"},
		{"wrong password by sAMAccountName", `EXAMPLE\edsam`, "Wrong-Password-1", exitFailed, "failed: wrong password"},
		{"UPN prefix is no logon name", `EXAMPLE\ed.long`, edPassword, exitFailed, "failed: unknown user"},
		{"bare UPN prefix is no logon name", "ed.long", edPassword, exitFailed, "failed: unknown user"},
		{"another NetBIOS domain", `OTHER\edsam`, edPassword, exitFailed, "failed: unknown user"},
		{"injected filter", `EXAMPLE\ed*`, edPassword, exitFailed, "failed: unknown user"},
		{"not synced", `EXAMPLE\outsider`, edPassword, exitFailed, `not a usersync user`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, code := c.runIn(tc.password+"\n", "auth", "check", tc.user)
			if code != tc.wantCode || !strings.Contains(out, tc.want) {
				t.Fatalf("auth check %s: exit %d, want %d with %q:\n%s", tc.user, code, tc.wantCode, tc.want, out)
			}
		})
	}
}

// TestADLoginNamesTheSyncingConnection: a relying party on the same domain
// never syncs users, so a login must neither be refused nor be called "not
// a usersync user" because of it.
func TestADLoginNamesTheSyncingConnection(t *testing.T) {
	dc, c := startLoginAD(t)
	c.apply(adDoc(dc, map[string]any{"name": "a-rp", "directoryType": "relyingParty", "searchFilter": edFilter}))
	out, code := c.runIn(edPassword+"\n", "auth", "check", `EXAMPLE\edsam`)
	if code != 0 || !strings.Contains(out, "authenticated ed.long@example.test") {
		t.Fatalf("auth check with a relying party beside: exit %d\n%s", code, out)
	}
	out, code = c.runIn(edPassword+"\n", "auth", "check", "out.sider@example.test")
	if code != exitFailed || !strings.Contains(out, `connection "ad"`) || strings.Contains(out, `"a-rp"`) {
		t.Fatalf("auth check of an unsynced user: exit %d, want the source connection named\n%s", code, out)
	}
}

// TestADLoginAfterDomainMove: a user retired because its UPN moved to
// another domain is an unknown user under the old name, not a directory
// failure; the new name logs in.
func TestADLoginAfterDomainMove(t *testing.T) {
	dc, c := startLoginAD(t)
	dc.Replace(t, "CN=Ed Long,"+samba.UsersDN, "userPrincipalName", "ed.long@moved.test")
	c.mustSync("ad")
	out, code := c.runIn(edPassword+"\n", "auth", "check", "ed.long@example.test")
	if code != exitFailed || !strings.Contains(out, "failed: unknown user") || strings.Contains(out, "unreachable") {
		t.Fatalf("auth check of the retired name: exit %d\n%s", code, out)
	}
	out, code = c.runIn(edPassword+"\n", "auth", "check", "ed.long@moved.test")
	if code != 0 || !strings.Contains(out, "authenticated ed.long@moved.test") {
		t.Fatalf("auth check of the new name: exit %d\n%s", code, out)
	}
}

// TestOpenLDAPAuthCheck: on OpenLDAP a synced user is found by the
// connection's linking key (entryUUID) and binds with its password.
func TestOpenLDAPAuthCheck(t *testing.T) {
	var b strings.Builder
	for _, u := range []string{"alice", "bob"} {
		fmt.Fprintf(&b, "dn: uid=%s,%s\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: %s\nuserPassword: %s-Secret-1\n\n", u, slapd.PeopleDN, u, u, u, u)
	}
	s := slapd.StartLDIF(t, []byte(b.String()))
	c := newCLI(t)
	doc := connDoc(s)
	doc["security"], doc["port"], doc["caCertificate"] = "ldaps", s.TLSPort, string(s.CAPEM)
	c.apply(doc)
	c.mustSync("corp")
	for _, tc := range []struct {
		name, user, password string
		wantCode             int
		want                 string
	}{
		{"right password", "alice", "alice-Secret-1", 0, "authenticated alice"},
		{"wrong password", "alice", "bob-Secret-1", exitFailed, "failed: wrong password"},
		{"unknown", "carol", "carol-Secret-1", exitFailed, "failed: unknown user"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, code := c.runIn(tc.password+"\n", "auth", "check", tc.user)
			if code != tc.wantCode || !strings.Contains(out, tc.want) {
				t.Fatalf("auth check %s: exit %d, want %d with %q:\n%s", tc.user, code, tc.wantCode, tc.want, out)
			}
		})
	}
	if err := adminConn(t, s).Del(ldapv3.NewDelRequest("uid=bob,"+slapd.PeopleDN, nil)); err != nil {
		t.Fatal(err)
	}
	out, code := c.runIn("bob-Secret-1\n", "auth", "check", "bob")
	if code != exitFailed || !strings.Contains(out, "no longer in the directory") {
		t.Fatalf("auth check of a deleted entry: exit %d\n%s", code, out)
	}
}

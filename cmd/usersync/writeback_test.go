package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/certmap"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/store/sqlite"
	"github.com/usersync/usersync/internal/testdir/certs"
	"github.com/usersync/usersync/internal/testdir/samba"
)

// The configureTwo documents of the worked examples 2 to 5 of the Advanced
// UPN Sync Settings, exactly as the
// panel saves them.
const (
	seedExample2 = `{"schemaVersion":1,"mailFallbackOnMissingUpn":{"enabled":true},"syncUpnToAdAttribute":{"enabled":false,"targetAttribute":"proxyAddresses","multiValued":true,"valueFormat":"prefixed","prefix":"smtp","lowercase":true,"skipIfAlreadyPresent":true,"treatPrefixVariantsAsDuplicates":true,"onWriteFailure":"warn"}}`
	seedExample3 = `{"schemaVersion":1,"mailFallbackOnMissingUpn":{"enabled":true},"syncUpnToAdAttribute":{"enabled":true,"targetAttribute":"proxyAddresses","multiValued":true,"valueFormat":"prefixed","prefix":"smtp","lowercase":true,"skipIfAlreadyPresent":true,"treatPrefixVariantsAsDuplicates":true,"onWriteFailure":"warn"}}`
	seedExample4 = `{"schemaVersion":1,"mailFallbackOnMissingUpn":{"enabled":false},"syncUpnToAdAttribute":{"enabled":true,"targetAttribute":"extensionAttribute5","multiValued":false,"valueFormat":"plain","prefix":"smtp","lowercase":false,"skipIfAlreadyPresent":true,"treatPrefixVariantsAsDuplicates":false,"onWriteFailure":"error"}}`
	seedExample5 = `{"schemaVersion":1,"mailFallbackOnMissingUpn":{"enabled":false},"syncUpnToAdAttribute":{"enabled":true,"targetAttribute":"mail","multiValued":false,"valueFormat":"plain","prefix":"smtp","lowercase":true,"skipIfAlreadyPresent":true,"treatPrefixVariantsAsDuplicates":false,"onWriteFailure":"ignore"}}`
)

// cloudAttr stands in for Example 4's extensionAttribute5, an Exchange
// schema attribute Samba's schema lacks ("attribute 'extensionAttribute5'
// ... was not found in the schema!"). msDS-cloudExtensionAttribute5 is in
// the Windows Server 2012 R2 schema Samba provisions, is a Unicode string
// and is single-valued (the test checks isSingleValued).
const cloudAttr = "msDS-cloudExtensionAttribute5"

// adCLI is a store with a source connection "ad" to a Samba DC, synced,
// so that relying-party runs on the same DC link to its users.
type adCLI struct {
	*cli
	dc *samba.DC
}

func newADCLI(t *testing.T, dc *samba.DC) *adCLI {
	t.Helper()
	c := &adCLI{cli: newCLI(t), dc: dc}
	c.apply(c.doc("ad", "source", "(&(objectClass=user)(userPrincipalName=*)(department=ex*))", ""))
	rep, code := c.sync("ad")
	if code != 0 || rep.Status != store.RunSucceeded || rep.Created == 0 {
		t.Fatalf("source sync: code %d %+v", code, rep)
	}
	return c
}

// doc is a connection document for the DC over verified ldaps.
func (c *adCLI) doc(name, dirType, filter, configureTwo string) map[string]any {
	return map[string]any{
		"name": name, "directoryType": dirType, "systemType": "ldap",
		"dnsName": c.dc.Host, "port": 636, "security": "ldaps", "caCertificate": string(c.dc.CAPEM),
		"username": c.dc.AdminDN, "password": c.dc.AdminPassword,
		"searchPath": samba.UsersDN, "searchFilter": filter,
		"linkingKey": "userPrincipalName", "configureTwo": configureTwo,
	}
}

// values reads one attribute of dn, sorted.
func values(t *testing.T, dc *samba.DC, dn, attr string) []string {
	t.Helper()
	v := dc.Get(t, dn, attr).GetAttributeValues(attr)
	slices.Sort(v)
	return v
}

func wantValues(t *testing.T, dc *samba.DC, dn, attr string, want ...string) {
	t.Helper()
	slices.Sort(want)
	if got := values(t, dc, dn, attr); !slices.Equal(got, want) {
		t.Fatalf("%s of %s = %q, want %q", attr, dn, got, want)
	}
}

func adUser(sam, upnName, dept string, attrs map[string][]string) samba.UserSpec {
	return samba.UserSpec{SAMAccountName: sam, UserPrincipalName: upnName, Department: dept, Attributes: attrs}
}

// TestRelyingPartyWriteBack runs the Advanced UPN Sync Settings' worked
// examples on a Samba AD DC and
// states the attribute values expected after each run.
func TestRelyingPartyWriteBack(t *testing.T) {
	dc := samba.Start(t)
	users := []samba.UserSpec{
		adUser("jane.doe", "jane.doe@example.test", "ex3", map[string][]string{"proxyAddresses": {"SMTP:Jane.Doe@example.test"}}),
		adUser("john.roe", "John.Roe@example.test", "ex3", map[string][]string{"proxyAddresses": {"X500:/o=Org/cn=john", "SMTP:john@example.org"}}),
		adUser("mary.major", "Mary.Major@example.test", "ex4", nil),
		adUser("max.minor", "Max.Minor@example.test", "ex4", nil),
		adUser("alice.ex5", "Alice.Ex5@Example.test", "ex5", nil),
		adUser("bob.ex5", "Bob.Ex5@Example.test", "ex5", nil),
		adUser("carl.ex5", "Carl.Ex5@Example.test", "ex5", nil),
		{SAMAccountName: "pat.noupn", Department: "ex2", Mail: "Pat.NoUpn@example.test"},
		adUser("carol.cert", "carol.cert@example.test", "ex6", map[string][]string{"altSecurityIdentities": {"X509:<I>DC=test,DC=example,CN=Other CA<SR>0A0B"}}),
		{SAMAccountName: "rp.reader", Password: "Rp-Reader-Pw1"},
	}
	dns := dc.AddUsers(t, len(users), func(i int) samba.UserSpec { return users[i] })
	dn := func(sam string) string { return "CN=" + sam + "," + samba.UsersDN }
	noUPN := ldapv3.NewModifyRequest(dn("pat.noupn"), nil)
	noUPN.Delete("userPrincipalName", nil) // Example 2: no UPN at all
	dc.Modify(t, noUPN)
	_ = dns
	c := newADCLI(t, dc)

	t.Run("example 3 proxyAddresses", func(t *testing.T) {
		c.apply(c.doc("rp3", "relyingParty", "(&(objectClass=user)(department=ex3))", seedExample3))
		rep, code := c.sync("rp3")
		if code != 0 {
			t.Fatalf("run: code %d %+v", code, rep)
		}
		wantCounts(t, rep, store.Counts{Updated: 1, Unchanged: 1})
		// SMTP:Jane.Doe@... is the same address under prefix variants and
		// AD's case-insensitive comparison: nothing is written.
		wantValues(t, dc, dn("jane.doe"), "proxyAddresses", "SMTP:Jane.Doe@example.test")
		// John had none: the lowercased smtp: value is added, others stay.
		wantValues(t, dc, dn("john.roe"), "proxyAddresses", "X500:/o=Org/cn=john", "SMTP:john@example.org", "smtp:john.roe@example.test")
		out, _ := c.run("runs", "show", fmt.Sprint(rep.ID), "--action", "updated")
		if !strings.Contains(out, `proxyAddresses "" → "smtp:john.roe@example.test"`) {
			t.Fatalf("runs show lacks the change:\n%s", out)
		}
		rep, code = c.sync("rp3")
		if code != 0 {
			t.Fatalf("second run: code %d %+v", code, rep)
		}
		wantCounts(t, rep, store.Counts{Unchanged: 2})
		wantValues(t, dc, dn("john.roe"), "proxyAddresses", "X500:/o=Org/cn=john", "SMTP:john@example.org", "smtp:john.roe@example.test")
	})

	t.Run("example 4 single-valued plain, denied write fails the run", func(t *testing.T) {
		if !dc.IsSingleValued(t, cloudAttr) {
			t.Fatalf("%s is not single-valued in Samba's schema", cloudAttr)
		}
		cfg := strings.Replace(seedExample4, "extensionAttribute5", cloudAttr, 1)
		// Bound as rp.reader, an ordinary user without write rights on
		// other users: AD refuses the first write (insufficientAccessRights).
		denied := c.doc("rp4denied", "relyingParty", "(&(objectClass=user)(department=ex4))", cfg)
		denied["username"], denied["password"] = "rp.reader@example.test", "Rp-Reader-Pw1"
		c.apply(denied)
		rep, code := c.sync("rp4denied")
		if code != exitFailed || rep.Status != store.RunFailed || rep.Failed != 1 || rep.Updated != 0 {
			t.Fatalf("denied run: code %d %+v", code, rep)
		}
		for _, want := range []string{cloudAttr, "insufficient access rights (LDAP 50)", "00002098", "onWriteFailure is error"} {
			if !strings.Contains(rep.Error, want) {
				t.Errorf("run error lacks %q: %s", want, rep.Error)
			}
		}
		if !strings.Contains(rep.Error, "Mary.Major@example.test") && !strings.Contains(rep.Error, "Max.Minor@example.test") {
			t.Errorf("run error names no user: %s", rep.Error)
		}
		wantValues(t, dc, dn("mary.major"), cloudAttr)
		wantValues(t, dc, dn("max.minor"), cloudAttr)

		c.apply(c.doc("rp4", "relyingParty", "(&(objectClass=user)(department=ex4))", cfg))
		rep, code = c.sync("rp4")
		if code != 0 {
			t.Fatalf("run: code %d %+v", code, rep)
		}
		wantCounts(t, rep, store.Counts{Updated: 2})
		wantValues(t, dc, dn("mary.major"), cloudAttr, "Mary.Major@example.test") // case kept (lowercase off)
		wantValues(t, dc, dn("max.minor"), cloudAttr, "Max.Minor@example.test")
		rep, _ = c.sync("rp4")
		wantCounts(t, rep, store.Counts{Unchanged: 2})
	})

	t.Run("example 5 mail, a denied user does not stop the others", func(t *testing.T) {
		dc.DenyWriteProperty(t, dn("bob.ex5"), dc.AdminDN)
		c.apply(c.doc("rp5", "relyingParty", "(&(objectClass=user)(department=ex5))", seedExample5))
		rep, code := c.sync("rp5")
		if code != 0 || rep.Status != store.RunSucceeded {
			t.Fatalf("run: code %d %+v", code, rep)
		}
		wantCounts(t, rep, store.Counts{Updated: 2, Failed: 1})
		if len(rep.Warnings) != 0 {
			t.Errorf("onWriteFailure ignore left warnings: %q", rep.Warnings)
		}
		wantValues(t, dc, dn("alice.ex5"), "mail", "alice.ex5@example.test")
		wantValues(t, dc, dn("bob.ex5"), "mail")
		wantValues(t, dc, dn("carl.ex5"), "mail", "carl.ex5@example.test")
		out, _ := c.run("runs", "show", fmt.Sprint(rep.ID), "--action", "failed")
		if !strings.Contains(out, "Bob.Ex5@Example.test") || !strings.Contains(out, "insufficient access rights") {
			t.Fatalf("the failed outcome does not name the user and AD's reason:\n%s", out)
		}
	})

	t.Run("example 2 mail fallback links a user without UPN", func(t *testing.T) {
		// The usersync user is a local one: the source connection reads
		// userId from userPrincipalName, which this account lacks.
		st, err := sqlite.Open(context.Background(), c.db)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateLocalUser(context.Background(), store.User{UserID: "pat.noupn@example.test"}); err != nil {
			t.Fatal(err)
		}
		st.Close()
		// Example 2 as saved: linked by mail, nothing written (sync off).
		c.apply(c.doc("rp2", "relyingParty", "(&(objectClass=user)(department=ex2))", seedExample2))
		rep, code := c.sync("rp2")
		if code != 0 {
			t.Fatalf("run: code %d %+v", code, rep)
		}
		wantCounts(t, rep, store.Counts{Unchanged: 1})
		wantValues(t, dc, dn("pat.noupn"), "proxyAddresses")
		// Example 2's fallback with the sync of Example 3 turned on (the
		// only difference between the two documents): the mail is written.
		c.apply(c.doc("rp2", "relyingParty", "(&(objectClass=user)(department=ex2))", seedExample3))
		rep, code = c.sync("rp2")
		if code != 0 {
			t.Fatalf("run: code %d %+v", code, rep)
		}
		wantCounts(t, rep, store.Counts{Updated: 1})
		wantValues(t, dc, dn("pat.noupn"), "proxyAddresses", "smtp:pat.noupn@example.test")
		// Without the fallback, the entry cannot be linked.
		c.apply(c.doc("rp2", "relyingParty", "(&(objectClass=user)(department=ex2))", strings.Replace(seedExample3, `"mailFallbackOnMissingUpn":{"enabled":true}`, `"mailFallbackOnMissingUpn":{"enabled":false}`, 1)))
		rep, _ = c.sync("rp2")
		wantCounts(t, rep, store.Counts{Skipped: 1})
	})

	t.Run("certificate mapping", func(t *testing.T) {
		pair, err := certs.New("usersync test user CA", []string{"carol.example.test"}, []net.IP{net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		pemFile := filepath.Join(t.TempDir(), "carol.pem")
		if err := os.WriteFile(pemFile, pair.CertPEM, 0o600); err != nil {
			t.Fatal(err)
		}
		cert, err := certmap.ParseCertificate(pair.CertPEM)
		if err != nil {
			t.Fatal(err)
		}
		mapping, err := certmap.Mapping(cert, certmap.FormIssuerSerial)
		if err != nil {
			t.Fatal(err)
		}
		other := "X509:<I>DC=test,DC=example,CN=Other CA<SR>0A0B"
		c.apply(c.doc("rp6", "relyingParty", "(&(objectClass=user)(department=ex6))", ""))
		add := []string{"cert", "add", "--connection", "rp6", "--user", "Carol.Cert@example.test", "-f", pemFile}
		for i := range 2 {
			if out, code := c.run(add...); code != 0 {
				t.Fatalf("cert add %d: %d %s", i+1, code, out)
			}
		}
		rep, code := c.sync("rp6")
		if code != 0 {
			t.Fatalf("run: code %d %+v", code, rep)
		}
		wantCounts(t, rep, store.Counts{Unchanged: 1})
		wantValues(t, dc, dn("carol.cert"), "altSecurityIdentities", other, mapping)

		if out, code := c.run("cert", "revoke", "--connection", "rp6", "--user", "carol.cert@example.test", "-f", pemFile); code != 0 {
			t.Fatalf("cert revoke: %d %s", code, out)
		}
		wantValues(t, dc, dn("carol.cert"), "altSecurityIdentities", other)
		rep, _ = c.sync("rp6")
		wantCounts(t, rep, store.Counts{Unchanged: 1})
		wantValues(t, dc, dn("carol.cert"), "altSecurityIdentities", other)
		out, _ := c.run("cert", "list", "--connection", "rp6")
		if !strings.Contains(out, "revoked") || !strings.Contains(out, mapping) {
			t.Fatalf("cert list:\n%s", out)
		}
	})
}

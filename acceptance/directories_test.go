package acceptance

import (
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/testdir/samba"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// adOU is a test's own organizational unit on the shared DC: its users and
// groups live there, with names no other test uses.
type adOU struct {
	t      *testing.T
	dc     *samba.DC
	dn     string
	prefix string // makes sAMAccountNames and UPNs unique on the DC
}

var ouSeq atomic.Int64

var nonWord = regexp.MustCompile(`[^A-Za-z0-9]+`)

// newOU creates an OU for t on the shared DC.
func newOU(t *testing.T) *adOU {
	t.Helper()
	return newOUOn(t, sharedDC(t))
}

// newOUOn creates an OU for t on dc.
func newOUOn(t *testing.T, dc *samba.DC) *adOU {
	t.Helper()
	n := ouSeq.Add(1)
	name := nonWord.ReplaceAllString(t.Name(), "")
	if len(name) > 40 {
		name = name[:40]
	}
	ou := &adOU{t: t, dc: dc, dn: fmt.Sprintf("OU=%s%d,%s", name, n, dc.BaseDN), prefix: fmt.Sprintf("t%d", n)}
	c := dc.Dial(t)
	req := ldap.NewAddRequest(ou.dn, nil)
	req.Attribute("objectClass", []string{"organizationalUnit"})
	if err := c.Add(req); err != nil {
		t.Fatalf("add %s: %v", ou.dn, err)
	}
	return ou
}

// sam is the sAMAccountName for a test's login name.
func (o *adOU) sam(login string) string {
	s := o.prefix + login
	if len(s) > 20 {
		s = s[:20]
	}
	return s
}

// upn is the UPN a test's user gets by default.
func (o *adOU) upn(login string) string { return o.prefix + login + "@example.test" }

// addUser creates a user in the OU; login names the CN and, prefixed,
// the sAMAccountName and UPN unless spec sets them.
func (o *adOU) addUser(login string, spec samba.UserSpec) string {
	o.t.Helper()
	spec.CN = login
	spec.ParentDN = o.dn
	if spec.SAMAccountName == "" {
		spec.SAMAccountName = o.sam(login)
	}
	if spec.UserPrincipalName == "" {
		spec.UserPrincipalName = o.upn(login)
	}
	return o.dc.AddUsers(o.t, 1, func(int) samba.UserSpec { return spec })[0]
}

// addGroup creates a global group whose cn is name in the OU.
func (o *adOU) addGroup(name string, members ...string) string {
	o.t.Helper()
	dn := "CN=" + ldap.EscapeDN(name) + "," + o.dn
	c := o.dc.Dial(o.t)
	req := ldap.NewAddRequest(dn, nil)
	req.Attribute("objectClass", []string{"group"})
	req.Attribute("sAMAccountName", []string{o.sam("g" + nonWord.ReplaceAllString(name, ""))})
	if len(members) > 0 {
		req.Attribute("member", members)
	}
	if err := c.Add(req); err != nil {
		o.t.Fatalf("add group %s: %v", dn, err)
	}
	return dn
}

// source is a source connection document for the OU over verified LDAPS.
func (o *adOU) source(name string, extra map[string]any) map[string]any {
	doc := map[string]any{
		"name": name, "friendlyName": "AD " + name, "directoryType": "source", "systemType": "ldap",
		"dnsName": o.dc.Host, "port": 636, "security": "ldaps", "caCertificate": string(o.dc.CAPEM),
		"username": o.dc.AdminUPN, "password": o.dc.AdminPassword,
		"searchPath": o.dn, "searchFilter": "(&(objectClass=user)(objectCategory=person))",
		"deletionGuard": map[string]any{"disabled": true},
	}
	for k, v := range extra {
		doc[k] = v
	}
	return doc
}

// relyingParty is a relying-party connection document for the OU.
func (o *adOU) relyingParty(name, configureTwo string, extra map[string]any) map[string]any {
	doc := o.source(name, map[string]any{
		"directoryType": "relyingParty", "linkingKey": "userPrincipalName", "configureTwo": configureTwo,
	})
	for k, v := range extra {
		doc[k] = v
	}
	return doc
}

// attr reads one attribute of dn.
func (o *adOU) attr(dn, name string) []string {
	o.t.Helper()
	return o.dc.Get(o.t, dn, name).GetAttributeValues(name)
}

// ldapUser is an inetOrgPerson for a slapd test directory.
type ldapUser struct {
	uid   string
	attrs map[string][]string
}

// startSlapd starts a throwaway slapd holding users and groupOfNames groups
// (cn → member uids) under the standard people and groups OUs.
func startSlapd(t *testing.T, users []ldapUser, groups map[string][]string) *slapd.Server {
	t.Helper()
	var b strings.Builder
	for _, u := range users {
		fmt.Fprintf(&b, "dn: uid=%s,%s\nobjectClass: inetOrgPerson\nuid: %s\n", u.uid, slapd.PeopleDN, u.uid)
		if _, ok := u.attrs["cn"]; !ok {
			fmt.Fprintf(&b, "cn: %s\n", u.uid)
		}
		if _, ok := u.attrs["sn"]; !ok {
			fmt.Fprintf(&b, "sn: %s\n", u.uid)
		}
		for name, values := range u.attrs {
			for _, v := range values {
				fmt.Fprintf(&b, "%s: %s\n", name, v)
			}
		}
		b.WriteString("\n")
	}
	for cn, members := range groups {
		fmt.Fprintf(&b, "dn: cn=%s,%s\nobjectClass: groupOfNames\ncn: %s\n", cn, slapd.GroupsDN, cn)
		for _, m := range members {
			fmt.Fprintf(&b, "member: uid=%s,%s\n", m, slapd.PeopleDN)
		}
		b.WriteString("\n")
	}
	return slapd.StartLDIF(t, []byte(b.String()))
}

// slapdSource is a source connection document for a slapd.
func slapdSource(s *slapd.Server, name string, extra map[string]any) map[string]any {
	doc := map[string]any{
		"name": name, "friendlyName": "LDAP " + name, "directoryType": "source", "systemType": "ldap",
		"dnsName": "127.0.0.1", "port": s.Port, "security": "none",
		"username": slapd.AdminDN, "password": slapd.AdminPassword,
		"searchPath": slapd.PeopleDN, "searchFilter": "(objectClass=inetOrgPerson)",
		"deletionGuard": map[string]any{"disabled": true},
	}
	for k, v := range extra {
		doc[k] = v
	}
	return doc
}

// slapdConn is an admin LDAP connection to s.
func slapdConn(t *testing.T, s *slapd.Server) *ldap.Conn {
	t.Helper()
	c, err := ldap.DialURL(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Bind(slapd.AdminDN, slapd.AdminPassword); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// modify replaces attr of dn with values (none deletes it) on any server.
func modify(t *testing.T, c *ldap.Conn, dn, attr string, values ...string) {
	t.Helper()
	req := ldap.NewModifyRequest(dn, nil)
	req.Replace(attr, values)
	if err := c.Modify(req); err != nil {
		t.Fatalf("modify %s %s: %v", dn, attr, err)
	}
}

func peopleDN(uid string) string { return "uid=" + uid + "," + slapd.PeopleDN }

func delReq(dn string) *ldap.DelRequest { return ldap.NewDelRequest(dn, nil) }

func addReq(dn string, attrs map[string][]string) *ldap.AddRequest {
	req := ldap.NewAddRequest(dn, nil)
	for name, values := range attrs {
		req.Attribute(name, values)
	}
	return req
}

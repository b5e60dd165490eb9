package demodir

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	ldapv3 "github.com/go-ldap/ldap/v3"
)

func startServer(t *testing.T) *Server {
	t.Helper()
	s, err := Start(context.Background())
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = s.Stop() })
	return s
}

func dial(t *testing.T, s *Server) *ldapv3.Conn {
	t.Helper()
	c, err := ldapv3.DialURL(fmt.Sprintf("ldap://%s:%d", s.Host, s.Port))
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func bound(t *testing.T, s *Server) *ldapv3.Conn {
	t.Helper()
	c := dial(t, s)
	if err := c.Bind(s.BindDN, s.Password); err != nil {
		t.Fatalf("bind: %v", err)
	}
	return c
}

func search(t *testing.T, c *ldapv3.Conn, base string, scope int, filter string, attrs ...string) []*ldapv3.Entry {
	t.Helper()
	res, err := c.Search(ldapv3.NewSearchRequest(base, scope, ldapv3.NeverDerefAliases, 0, 0, false, filter, attrs, nil))
	if err != nil {
		t.Fatalf("search %s %s: %v", base, filter, err)
	}
	return res.Entries
}

func resultCode(err error) uint16 {
	var le *ldapv3.Error
	if errors.As(err, &le) {
		return le.ResultCode
	}
	return 0
}

func TestBind(t *testing.T) {
	s := startServer(t)
	c := dial(t, s)
	if err := c.Bind(s.BindDN, s.Password); err != nil {
		t.Fatalf("bind by DN: %v", err)
	}
	if err := c.Bind("usersync@contoso.test", s.Password); err != nil {
		t.Fatalf("bind by UPN: %v", err)
	}
	if err := c.Bind(`CONTOSO\anna.schmidt`, DemoPassword); err != nil {
		t.Fatalf("bind as a demo person: %v", err)
	}
	err := c.Bind(s.BindDN, "wrong")
	if resultCode(err) != ldapv3.LDAPResultInvalidCredentials || !strings.Contains(err.Error(), "data 52e") {
		t.Fatalf("bad password: got %v, want 49 with data 52e", err)
	}
	// The failed bind left the connection anonymous.
	_, err = c.Search(ldapv3.NewSearchRequest(s.PeopleDN, ldapv3.ScopeWholeSubtree, 0, 0, 0, false, "(objectClass=*)", nil, nil))
	if resultCode(err) != ldapv3.LDAPResultOperationsError {
		t.Fatalf("search after failed bind: got %v, want operationsError", err)
	}

	disabled := search(t, bound(t, s), s.PeopleDN, ldapv3.ScopeSingleLevel, "(userAccountControl=514)", "userPrincipalName")
	if len(disabled) != 1 {
		t.Fatalf("disabled users: got %d, want 1", len(disabled))
	}
	err = c.Bind(disabled[0].GetAttributeValue("userPrincipalName"), DemoPassword)
	if resultCode(err) != ldapv3.LDAPResultInvalidCredentials || !strings.Contains(err.Error(), "data 533") {
		t.Fatalf("disabled user: got %v, want 49 with data 533", err)
	}
}

func TestRootDSEWithoutBind(t *testing.T) {
	s := startServer(t)
	c := dial(t, s)
	es := search(t, c, "", ldapv3.ScopeBaseObject, "(objectClass=*)", "supportedCapabilities", "defaultNamingContext", "vendorName", "supportedControl")
	if len(es) != 1 {
		t.Fatalf("root DSE entries: %d", len(es))
	}
	e := es[0]
	if !slices.Contains(e.GetAttributeValues("supportedCapabilities"), "1.2.840.113556.1.4.800") {
		t.Errorf("supportedCapabilities %v lacks the AD capability", e.GetAttributeValues("supportedCapabilities"))
	}
	if !slices.Contains(e.GetAttributeValues("supportedControl"), ldapv3.ControlTypePaging) {
		t.Errorf("supportedControl %v lacks paged results", e.GetAttributeValues("supportedControl"))
	}
	if got := e.GetAttributeValue("defaultNamingContext"); got != s.BaseDN {
		t.Errorf("defaultNamingContext = %q", got)
	}
	if got := e.GetAttributeValue("vendorName"); got != "usersync demo directory" {
		t.Errorf("vendorName = %q", got)
	}
	_, err := c.Search(ldapv3.NewSearchRequest(s.BaseDN, ldapv3.ScopeBaseObject, 0, 0, 0, false, "(objectClass=*)", nil, nil))
	if resultCode(err) != ldapv3.LDAPResultOperationsError {
		t.Fatalf("unbound search: got %v, want operationsError", err)
	}
}

func TestPagedSearchReturnsEveryUserOnce(t *testing.T) {
	s := startServer(t)
	c := bound(t, s)
	filter := s.Connection("demo").SearchFilter
	paging := ldapv3.NewControlPaging(10)
	req := ldapv3.NewSearchRequest(s.PeopleDN, ldapv3.ScopeWholeSubtree, 0, 0, 0, false, filter, []string{"sAMAccountName"}, []ldapv3.Control{paging})
	seen, pages := map[string]int{}, 0
	for {
		res, err := c.Search(req)
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		pages++
		if len(res.Entries) > 10 {
			t.Fatalf("page %d has %d entries", pages, len(res.Entries))
		}
		for _, e := range res.Entries {
			seen[e.DN]++
		}
		ctl := ldapv3.FindControl(res.Controls, ldapv3.ControlTypePaging)
		if ctl == nil {
			t.Fatalf("page %d: no paging control in the response", pages)
		}
		cookie := ctl.(*ldapv3.ControlPaging).Cookie
		if len(cookie) == 0 {
			break
		}
		paging.SetCookie(cookie)
	}
	if len(seen) != UserCount || s.Users() != UserCount {
		t.Fatalf("got %d distinct users (Users()=%d), want %d", len(seen), s.Users(), UserCount)
	}
	for dn, n := range seen {
		if n != 1 {
			t.Errorf("%s returned %d times", dn, n)
		}
	}
	if pages != 10 {
		t.Errorf("pages = %d, want 10", pages)
	}
	// go-ldap's own paging loop agrees.
	res, err := c.SearchWithPaging(ldapv3.NewSearchRequest(s.PeopleDN, ldapv3.ScopeWholeSubtree, 0, 0, 0, false, filter, []string{"1.1"}, nil), 7)
	if err != nil || len(res.Entries) != UserCount {
		t.Fatalf("SearchWithPaging: %d entries, %v", len(res.Entries), err)
	}
	if len(res.Entries[0].Attributes) != 0 {
		t.Errorf("1.1 returned attributes %v", res.Entries[0].Attributes)
	}
}

func TestFilters(t *testing.T) {
	s := startServer(t)
	c := bound(t, s)
	count := func(filter string) int {
		return len(search(t, c, s.PeopleDN, ldapv3.ScopeWholeSubtree, filter, "1.1"))
	}
	noMail := count("(&(objectClass=user)(!(mail=*)))")
	for _, tc := range []struct {
		filter string
		want   func(int) bool
	}{
		{"(objectClass=user)", func(n int) bool { return n == UserCount }},
		{"(OBJECTCLASS=USER)", func(n int) bool { return n == UserCount }},
		{"(objectCategory=person)", func(n int) bool { return n == UserCount }},
		{"(objectCategory=" + PersonCategory + ")", func(n int) bool { return n == UserCount }},
		{"(mail=*)", func(n int) bool { return n == UserCount-noMail && noMail > 0 }},
		{"(sAMAccountName=anna.*)", func(n int) bool { return n >= 1 }},
		{"(sn=*ll*)", func(n int) bool { return n >= 1 }},
		{"(|(department=Sales)(department=Finance))", func(n int) bool { return n == count("(department=Sales)")+count("(department=Finance)") }},
		{"(&(objectClass=user)(!(department=Sales)))", func(n int) bool { return n == UserCount-count("(department=Sales)") }},
		{"(!(department=Sales))", func(n int) bool { return n == UserCount+1-count("(department=Sales)") }}, // the OU itself too
		{"(&(objectClass=user)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))", func(n int) bool { return n == UserCount-1 }},
		{"(memberOf=CN=Administrator,OU=Groups,DC=contoso,DC=test)", func(n int) bool { return n >= 1 && n < 10 }},
		{"(employeeID>=100050)", func(n int) bool { return n == 51 }},
		{"(employeeID<=100009)", func(n int) bool { return n == 9 }},
		{"(givenName=nobody)", func(n int) bool { return n == 0 }},
	} {
		if n := count(tc.filter); !tc.want(n) {
			t.Errorf("%s: %d entries", tc.filter, n)
		}
	}
	groups := search(t, c, s.BaseDN, ldapv3.ScopeWholeSubtree, "(|(cn=demo_Berlin)(cn=demo_AllSites))", "member")
	if len(groups) != 2 {
		t.Fatalf("site groups: %d", len(groups))
	}
	if ous := search(t, c, s.BaseDN, ldapv3.ScopeSingleLevel, "(objectClass=organizationalUnit)"); len(ous) != 3 {
		t.Errorf("one-level OUs: %d", len(ous))
	}
}

func TestBaseSearch(t *testing.T) {
	s := startServer(t)
	c := bound(t, s)
	if es := search(t, c, s.PeopleDN, ldapv3.ScopeBaseObject, "(objectClass=*)", "1.1"); len(es) != 1 {
		t.Fatalf("base search of the People OU: %d entries", len(es))
	}
	_, err := c.Search(ldapv3.NewSearchRequest("OU=Nowhere,"+s.BaseDN, ldapv3.ScopeBaseObject, 0, 0, 0, false, "(objectClass=*)", nil, nil))
	if resultCode(err) != ldapv3.LDAPResultNoSuchObject {
		t.Fatalf("missing DN: got %v, want noSuchObject", err)
	}
}

func TestObjectGUIDIsBinary(t *testing.T) {
	s := startServer(t)
	c := bound(t, s)
	es := search(t, c, s.PeopleDN, ldapv3.ScopeSingleLevel, "(sAMAccountName=anna.schmidt)", "objectGUID", "userPrincipalName")
	if len(es) != 1 {
		t.Fatalf("entries: %d", len(es))
	}
	raw := es[0].GetRawAttributeValue("objectGUID")
	if len(raw) != 16 {
		t.Fatalf("objectGUID is %d bytes, want 16", len(raw))
	}
	// A filter on the escaped bytes finds the same person.
	again := search(t, c, s.PeopleDN, ldapv3.ScopeSingleLevel, "(objectGUID="+escapeBytes(raw)+")", "1.1")
	if len(again) != 1 || again[0].DN != es[0].DN {
		t.Fatalf("objectGUID filter found %d entries", len(again))
	}
}

func escapeBytes(b []byte) string {
	var sb strings.Builder
	for _, x := range b {
		fmt.Fprintf(&sb, `\%02x`, x)
	}
	return sb.String()
}

func TestModifyIsVisible(t *testing.T) {
	s := startServer(t)
	c := bound(t, s)
	dn := search(t, c, s.PeopleDN, ldapv3.ScopeSingleLevel, "(sAMAccountName=anna.schmidt)", "1.1")[0].DN
	usn := func() int {
		n, _ := strconv.Atoi(search(t, c, dn, ldapv3.ScopeBaseObject, "(objectClass=*)", "uSNChanged")[0].GetAttributeValue("uSNChanged"))
		return n
	}
	before := usn()
	highest, _ := strconv.Atoi(search(t, c, "", ldapv3.ScopeBaseObject, "(objectClass=*)", "highestCommittedUSN")[0].GetAttributeValue("highestCommittedUSN"))
	m := ldapv3.NewModifyRequest(dn, nil)
	m.Replace("title", []string{"Chief Demo Officer"})
	m.Add("proxyAddresses", []string{"SMTP:anna@contoso.test", "smtp:anna.s@contoso.test"})
	if err := c.Modify(m); err != nil {
		t.Fatalf("modify: %v", err)
	}
	e := search(t, c, dn, ldapv3.ScopeBaseObject, "(objectClass=*)", "title", "proxyAddresses")[0]
	if e.GetAttributeValue("title") != "Chief Demo Officer" || len(e.GetAttributeValues("proxyAddresses")) != 2 {
		t.Fatalf("after modify: %q / %q", e.GetAttributeValues("title"), e.GetAttributeValues("proxyAddresses"))
	}
	if after := usn(); after <= before {
		t.Errorf("uSNChanged %d → %d, want it to grow", before, after)
	}
	if n := len(search(t, c, s.PeopleDN, ldapv3.ScopeSingleLevel, fmt.Sprintf("(uSNChanged>=%d)", highest+1), "1.1")); n != 1 {
		t.Errorf("delta search found %d changed entries, want 1", n)
	}
	bad := ldapv3.NewModifyRequest(dn, nil)
	bad.Delete("mobileX", nil)
	if err := c.Modify(bad); resultCode(err) != ldapv3.LDAPResultNoSuchAttribute {
		t.Errorf("delete of a missing attribute: got %v", err)
	}

	if err := s.SetAttribute(dn, "department", "Research"); err != nil {
		t.Fatalf("SetAttribute: %v", err)
	}
	if n := len(search(t, c, s.PeopleDN, ldapv3.ScopeSingleLevel, "(department=Research)", "1.1")); n != 1 {
		t.Errorf("after SetAttribute: %d entries in Research", n)
	}
	if err := s.Delete(dn); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if s.Users() != UserCount-1 {
		t.Errorf("Users() = %d after Delete", s.Users())
	}
	if n := len(search(t, c, s.BaseDN, ldapv3.ScopeWholeSubtree, "(member="+dn+")", "1.1")); n != 0 {
		t.Errorf("deleted user still a member of %d groups", n)
	}
	if err := s.Delete(dn); !errors.Is(err, ErrNoSuchObject) {
		t.Errorf("second Delete: %v", err)
	}
}

func TestStopRefusesConnections(t *testing.T) {
	s := startServer(t)
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	c := bound(t, s)
	_ = c.Close()
	if err := s.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		_ = conn.Close()
		t.Fatal("port still accepts connections after Stop")
	}
}

func TestConnectionDocument(t *testing.T) {
	s := startServer(t)
	c := s.Connection("demo")
	if c.Port != s.Port || c.DNSName != "127.0.0.1" || c.Username != BindDN || c.SearchPath != PeopleDN || c.Security != "none" {
		t.Fatalf("connection: %+v", c)
	}
	if c.FriendlyName != "Demo directory (Contoso)" || c.RuleCriteriaAttribute != "memberOf" {
		t.Fatalf("connection defaults not applied: %+v", c)
	}
}

func TestStopWithAnIdleClient(t *testing.T) {
	s := startServer(t)
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	bound(t, s) // stays open until the test ends
	start := time.Now()
	if err := s.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if d := time.Since(start); d > stopGrace+time.Second {
		t.Errorf("Stop took %v", d)
	}
	if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		_ = conn.Close()
		t.Fatal("port still accepts connections after Stop")
	}
}

package ldapserve

import (
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"
)

// "Every write operation answers unwillingToPerform": the interface is a
// read-only view of the store.
func TestWritesAreRefused(t *testing.T) {
	f := newFixture(t, nil)
	c := f.dial(t, true)
	dn := "uid=alice," + testBase
	tests := []struct {
		name string
		err  error
	}{
		{"add", c.Add(&ldapv3.AddRequest{DN: "uid=new," + testBase, Attributes: []ldapv3.Attribute{{Type: "objectClass", Vals: []string{"inetOrgPerson"}}}})},
		{"modify", c.Modify(&ldapv3.ModifyRequest{DN: dn, Changes: []ldapv3.Change{{Operation: ldapv3.ReplaceAttribute, Modification: ldapv3.PartialAttribute{Type: "mail", Vals: []string{"x@y"}}}}})},
		{"delete", c.Del(&ldapv3.DelRequest{DN: dn})},
	}
	for _, tt := range tests {
		if code(tt.err) != ldapv3.LDAPResultUnwillingToPerform {
			t.Errorf("%s: %v, want unwillingToPerform", tt.name, tt.err)
		}
	}
	res, err := search(c, dn, ldapv3.ScopeBaseObject, "(objectClass=*)", "mail")
	if err != nil || len(res.Entries) != 1 || res.Entries[0].GetAttributeValue("mail") != "Alice@Example.com" {
		t.Fatalf("alice after refused writes: %v, %v", dns(res), err)
	}
}

// "anonymous bind refused by default; every search limited to the views
// the account may read": an anonymous client reads the root DSE and the
// schema, nothing of a view.
func TestUnauthenticatedAndUnauthorisedSearchesAreRefused(t *testing.T) {
	f := newFixture(t, nil)
	anon := f.dial(t, false)
	if _, err := search(anon, testBase, ldapv3.ScopeWholeSubtree, "(uid=alice)"); code(err) != ldapv3.LDAPResultInsufficientAccessRights {
		t.Errorf("search without bind: %v, want insufficientAccessRights", err)
	}
	if err := anon.UnauthenticatedBind(""); err != nil {
		t.Errorf("anonymous bind: %v", err)
	}
	for _, base := range []string{testBase, "uid=alice," + testBase, "o=example", "ou=groups," + testBase} {
		if _, err := search(anon, base, ldapv3.ScopeWholeSubtree, "(objectClass=*)"); code(err) != ldapv3.LDAPResultInsufficientAccessRights {
			t.Errorf("anonymous search of %s: %v, want insufficientAccessRights", base, err)
		}
	}
	if err := anon.UnauthenticatedBind(f.accountDN); code(err) != ldapv3.LDAPResultUnwillingToPerform {
		t.Errorf("unauthenticated bind (name, no password): %v, want unwillingToPerform", err)
	}
	for _, tt := range []struct{ dn, pw string }{
		{f.accountDN, "wrong-password-123"},
		{"cn=nobody," + testBase, testPassword},
		{"cn=phone,ou=others,o=example", testPassword},
		{"not a dn", testPassword},
		{"cn=phone*," + testBase, testPassword},
	} {
		if err := anon.Bind(tt.dn, tt.pw); code(err) != ldapv3.LDAPResultInvalidCredentials {
			t.Errorf("bind %q: %v, want invalidCredentials", tt.dn, err)
		}
	}
	// A failed bind leaves the connection anonymous.
	if _, err := search(anon, testBase, ldapv3.ScopeWholeSubtree, "(uid=alice)"); code(err) != ldapv3.LDAPResultInsufficientAccessRights {
		t.Errorf("search after failed binds: %v, want insufficientAccessRights", err)
	}

	c := f.dial(t, true)
	if _, err := search(c, "ou=others,o=example", ldapv3.ScopeWholeSubtree, "(objectClass=*)"); code(err) != ldapv3.LDAPResultInsufficientAccessRights {
		t.Errorf("search of another view: %v, want insufficientAccessRights", err)
	}
	// A subtree search from above both views returns only the readable one.
	res, err := search(c, "o=example", ldapv3.ScopeWholeSubtree, "(objectClass=inetOrgPerson)", "uid")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Entries {
		if e.GetAttributeValue("uid") == "mallory" {
			t.Errorf("the other view's user %s leaked into a search from o=example", e.DN)
		}
	}
	if len(res.Entries) != 3 {
		t.Errorf("search from o=example: %v, want alice, bob and john", dns(res))
	}
}

// "StartTLS on a plain port; plain LDAP without TLS only with an explicit
// flag": a password never crosses the plain port unencrypted.
func TestPlainPortNeedsStartTLS(t *testing.T) {
	f := newFixture(t, nil)
	c, err := ldapv3.DialURL("ldap://" + f.plain)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Bind(f.accountDN, f.password); code(err) != ldapv3.LDAPResultConfidentialityRequired {
		t.Fatalf("bind before StartTLS: %v, want confidentialityRequired", err)
	}
	if err := c.StartTLS(f.tls); err != nil {
		t.Fatalf("StartTLS: %v", err)
	}
	if err := c.Bind(f.accountDN, f.password); err != nil {
		t.Fatalf("bind after StartTLS: %v", err)
	}
	res, err := search(c, testBase, ldapv3.ScopeSingleLevel, "(uid=bob)", "cn")
	if err != nil || len(res.Entries) != 1 {
		t.Fatalf("search after StartTLS: %v, %v", dns(res), err)
	}

	plain := newFixture(t, func(c *Config) { c.AllowPlain, c.TLS = true, nil })
	p, err := ldapv3.DialURL("ldap://" + plain.ldapsOrPlain())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Bind(plain.accountDN, plain.password); err != nil {
		t.Fatalf("bind on an explicitly plain port: %v", err)
	}
}

// ldapsOrPlain is the plain port of a fixture without TLS.
func (f *fixture) ldapsOrPlain() string { return f.plain }

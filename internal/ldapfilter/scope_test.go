package ldapfilter

import (
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"
)

func TestInScopeDN(t *testing.T) {
	const base = "ou=People,dc=example,dc=com"
	tests := []struct {
		dn    string
		scope int
		want  bool
	}{
		{"OU=people,DC=Example,DC=com", ldapv3.ScopeBaseObject, true},
		{"uid=a,ou=People,dc=example,dc=com", ldapv3.ScopeBaseObject, false},
		{"ou=People,dc=example,dc=com", ldapv3.ScopeSingleLevel, false},
		{"uid=a,ou=People,dc=example,dc=com", ldapv3.ScopeSingleLevel, true},
		{"cn=x,uid=a,ou=People,dc=example,dc=com", ldapv3.ScopeSingleLevel, false},
		{"ou=People,dc=example,dc=com", ldapv3.ScopeWholeSubtree, true},
		{"cn=x,uid=a,ou=people,dc=example,dc=com", ldapv3.ScopeWholeSubtree, true},
		{"dc=example,dc=com", ldapv3.ScopeWholeSubtree, false},
		{"uid=a,ou=Groups,dc=example,dc=com", ldapv3.ScopeWholeSubtree, false},
		{"uid=a,ou=Groups,dc=example,dc=com", ldapv3.ScopeSingleLevel, false},
	}
	b, err := ldapv3.ParseDN(base)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		dn, err := ldapv3.ParseDN(tt.dn)
		if err != nil {
			t.Fatal(err)
		}
		if got := InScopeDN(dn, b, tt.scope); got != tt.want {
			t.Errorf("InScopeDN(%q, scope %d) = %v, want %v", tt.dn, tt.scope, got, tt.want)
		}
	}
}

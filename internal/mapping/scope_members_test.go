package mapping

import "testing"

// TestScopeMembers: the members read from a scope's groups put an entry
// without memberOf in scope, whatever the case and spacing of its DN; the
// mapper they were given to is not changed, and their fingerprint follows
// them.
func TestScopeMembers(t *testing.T) {
	m := compile(t, Set{Mappings: required(), Scope: &Scope{Groups: []string{"cn=Sales,ou=groups,dc=x"}}})
	if got := m.ScopeGroups(); len(got) != 1 || got[0] != "cn=Sales,ou=groups,dc=x" {
		t.Fatalf("ScopeGroups() = %q", got)
	}
	with := m.WithScopeMembers([]string{"UID=a, OU=People, DC=x", "uid=a,ou=people,dc=x", "cn=Nested,ou=groups,dc=x"})
	tests := []struct {
		name string
		m    *Mapper
		dn   string
		in   bool
	}{
		{"member, other case and spacing", with, "uid=a,ou=people,dc=x", true},
		{"not a member", with, "uid=b,ou=people,dc=x", false},
		{"empty DN", with, "", false},
		{"the mapper without members", m, "uid=a,ou=people,dc=x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := entry(tt.dn, "uid", "a", "cn", "A")
			if r := mapEntry(t, tt.m, e); (r.OutOfScope == "") != tt.in {
				t.Errorf("in scope = %v, want %v (%s)", r.OutOfScope == "", tt.in, r.OutOfScope)
			}
		})
	}
	fp := with.ScopeMembersFingerprint()
	if fp == "" || m.ScopeMembersFingerprint() != "" {
		t.Fatalf("fingerprints: with members %q, without %q", fp, m.ScopeMembersFingerprint())
	}
	if same := m.WithScopeMembers([]string{"uid=a,ou=people,dc=x", "cn=nested,ou=groups,dc=x"}); same.ScopeMembersFingerprint() != fp {
		t.Error("the same members in another order and case changed the fingerprint")
	}
	if other := m.WithScopeMembers([]string{"uid=b,ou=people,dc=x"}); other.ScopeMembersFingerprint() == fp {
		t.Error("other members kept the fingerprint")
	}
	if with.Fingerprint() != m.Fingerprint() {
		t.Error("members changed the mapping fingerprint, which would rewrite every user's hash")
	}
	noScope := compile(t, Set{Mappings: required()})
	if noScope.WithScopeMembers([]string{"uid=a,ou=people,dc=x"}) != noScope || noScope.ScopeGroups() != nil {
		t.Error("a mapper without scope groups must be returned as is")
	}
}

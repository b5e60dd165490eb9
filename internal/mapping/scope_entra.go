package mapping

import (
	"fmt"
	"regexp"
	"strings"
)

var guid = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// validateObjects checks a scope whose groups and users name Entra ID
// objects: Entra has no DNs, so a group is its exact displayName or its
// object id, and a user its object id (the immutable id users link by).
func (s *Scope) validateObjects(add func(field, format string, args ...any)) {
	groups, users := s.Groups, s.Users
	cp := *s
	cp.Groups, cp.Users = nil, nil
	cp.validate(add)
	for i, g := range groups {
		f := fmt.Sprintf("scope.groups[%d]", i)
		switch {
		case strings.TrimSpace(g) == "":
			add(f, "must be an Entra group's displayName or object id, got an empty value")
		case looksLikeLDAPDN(g):
			add(f, "Entra ID has no DNs: name the group by its displayName or object id, got %q", g)
		case strings.ContainsFunc(g, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			add(f, "contains a control character: %q", g)
		}
	}
	for i, u := range users {
		if !guid.MatchString(u) {
			add(fmt.Sprintf("scope.users[%d]", i), "must be an Entra user's object id such as 7d1c0a9e-0000-4000-8000-000000000001, got %q", u)
		}
	}
}

// looksLikeLDAPDN says whether s reads like an LDAP DN (cn=…,ou=…): a
// displayName may hold an equals sign, but rarely starts with cn=, ou=,
// uid= or dc= and names more than one level.
func looksLikeLDAPDN(s string) bool {
	l := strings.ToLower(strings.TrimSpace(s))
	for _, p := range []string{"cn=", "ou=", "uid=", "dc=", "o="} {
		if strings.HasPrefix(l, p) && strings.Contains(l, ",") {
			return true
		}
	}
	return false
}

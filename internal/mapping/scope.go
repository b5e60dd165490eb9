package mapping

import (
	"fmt"
	"strings"

	"github.com/usersync/usersync/internal/mapping/scope"
)

// Scope decides which entries are provisioned: every clause must match
// (Entra scoping filters, seed 004), and when Groups or Users are listed the
// entry must also be one of Users or a direct member of one of Groups (seed
// 004's "Filter based on Users/Groups list"; a nested group counts only when
// it is listed itself). An entry that leaves the scope is treated like one
// that left the directory.
//
// A clause's attribute names an application field filled by the mappings
// when one is (so `department` works on Active Directory and OpenLDAP
// alike), and a directory attribute otherwise.
type Scope struct {
	Clauses []scope.Clause `json:"clauses,omitempty"`
	// Groups are group DNs whose direct members are in scope.
	Groups []string `json:"groups,omitempty"`
	// Users are user DNs in scope.
	Users []string `json:"users,omitempty"`
}

// MemberOfAttribute is where an entry lists the groups it belongs to.
const MemberOfAttribute = "memberOf"

// compiledScope is a validated Scope with its DNs canonicalised.
type compiledScope struct {
	sc       scope.Scope
	fieldFor map[string]string // clause attribute → mapped target
	groups   map[string]bool
	users    map[string]bool
}

func (s *Scope) validate(add func(field, format string, args ...any)) {
	sc := scope.Scope{Clauses: s.Clauses}
	if err := sc.Validate(); err != nil {
		if ve, ok := err.(*scope.ValidationError); ok {
			for _, p := range ve.Problems {
				add(p.Field, "%s", p.Msg)
			}
		} else {
			add("scope", "%v", err)
		}
	}
	for i, g := range s.Groups {
		if !looksLikeDN(g) {
			add(fmt.Sprintf("scope.groups[%d]", i), "must be a group DN such as cn=Sales,ou=groups,dc=example,dc=com, got %q", g)
		}
	}
	for i, u := range s.Users {
		if !looksLikeDN(u) {
			add(fmt.Sprintf("scope.users[%d]", i), "must be a user DN such as uid=jdoe,ou=people,dc=example,dc=com, got %q", u)
		}
	}
}

func looksLikeDN(s string) bool {
	k, v, ok := strings.Cut(s, "=")
	return ok && strings.TrimSpace(k) != "" && strings.TrimSpace(v) != ""
}

func compileScope(s *Scope, rules []rule) (*compiledScope, error) {
	if s == nil || (len(s.Clauses) == 0 && len(s.Groups) == 0 && len(s.Users) == 0) {
		return nil, nil
	}
	cs := &compiledScope{sc: scope.Scope{Clauses: append([]scope.Clause(nil), s.Clauses...)}, fieldFor: map[string]string{}}
	if err := cs.sc.Validate(); err != nil {
		return nil, err
	}
	for _, c := range cs.sc.Clauses {
		for _, r := range rules {
			if strings.EqualFold(r.Target, c.Attribute) && r.Target != TargetCustomFields {
				cs.fieldFor[c.Attribute] = r.Target
				break
			}
		}
	}
	if len(s.Groups) > 0 || len(s.Users) > 0 {
		cs.groups, cs.users = map[string]bool{}, map[string]bool{}
		for _, g := range s.Groups {
			cs.groups[canonicalDN(g)] = true
		}
		for _, u := range s.Users {
			cs.users[canonicalDN(u)] = true
		}
	}
	return cs, nil
}

// canonicalDN folds case and the spaces around separators, which is how the
// same DN most often differs between a memberOf value and a configuration.
func canonicalDN(dn string) string {
	parts := strings.Split(dn, ",")
	for i, p := range parts {
		k, v, _ := strings.Cut(p, "=")
		parts[i] = strings.ToLower(strings.TrimSpace(k)) + "=" + strings.ToLower(strings.TrimSpace(v))
	}
	return strings.Join(parts, ",")
}

// scopeView lets clauses read mapped fields first, then the entry.
type scopeView struct {
	cs  *compiledScope
	r   *Result
	src entryAttrs
}

func (v scopeView) Values(name string) []string {
	if target, ok := v.cs.fieldFor[name]; ok {
		for _, f := range v.r.Fields {
			if f.Name == target {
				if f.Value == "" {
					return nil
				}
				return []string{f.Value}
			}
		}
		return nil
	}
	return v.src.Values(name)
}

// match sets r.OutOfScope or r.Err when the entry is not in scope.
func (cs *compiledScope) match(src entryAttrs, r *Result) {
	ok, failed, err := cs.sc.Match(scopeView{cs: cs, r: r, src: src})
	if err != nil {
		r.Err = fmt.Errorf("cannot decide whether the user is in scope: %w", err)
		return
	}
	if !ok {
		r.OutOfScope = fmt.Sprintf("out of scope: the scoping filter %s does not match", failed.String())
		return
	}
	if cs.groups == nil {
		return
	}
	if cs.users[canonicalDN(src.e.DN)] {
		return
	}
	for _, g := range src.e.Values(MemberOfAttribute) {
		if cs.groups[canonicalDN(g)] {
			return
		}
	}
	r.OutOfScope = "out of scope: neither the user nor a group it is a direct member of is assigned (scope.users, scope.groups)"
}

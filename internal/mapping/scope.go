package mapping

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"

	"github.com/usersync/usersync/internal/mapping/scope"
)

// Scope decides which entries are provisioned: every clause must match
// (Entra scoping filters), and when Groups or Users are listed the entry
// must also be one of Users or a direct member of one of Groups (the
// "Filter based on Users/Groups list"; a nested group counts only when it
// is listed itself). Direct membership is whatever the directory offers:
// the entry's memberOf (Active Directory, OpenLDAP with its memberOf
// overlay) or the listed groups' member and uniqueMember values, which a
// run reads before the users (see Mapper.WithScopeMembers). An entry that
// leaves the scope is treated like one that left the directory.
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
	// groupDNs are the listed groups as configured.
	groupDNs []string
	// members are the canonical DNs the listed groups name in their
	// member attribute; nil until a run reads them.
	members map[string]bool
	// membersFP fingerprints members (empty when nil).
	membersFP string
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
		cs.groupDNs = append([]string(nil), s.Groups...)
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
	if cs.members[canonicalDN(src.e.DN)] {
		return
	}
	r.OutOfScope = "out of scope: neither the user nor a group it is a direct member of is assigned (scope.users, scope.groups)"
}

// ScopeGroups returns the group DNs the scope lists, as configured: a run
// reads their members with the users so that group scopes work on
// directories whose users carry no memberOf.
func (m *Mapper) ScopeGroups() []string {
	if m.scope == nil {
		return nil
	}
	return append([]string(nil), m.scope.groupDNs...)
}

// WithScopeMembers returns a copy of m whose scope also counts the given
// DNs as direct members of the listed groups: the member and uniqueMember
// values read from those groups. The copy's ScopeMembersFingerprint
// changes whenever the members do, so that a saved change token from
// before a membership change forces a full run (a user entry does not
// change when a group gains or loses it). m itself is not changed.
func (m *Mapper) WithScopeMembers(members []string) *Mapper {
	if m.scope == nil || m.scope.groups == nil {
		return m
	}
	cp := *m
	sc := *m.scope
	sc.members = make(map[string]bool, len(members))
	keys := make([]string, 0, len(members))
	for _, dn := range members {
		k := canonicalDN(dn)
		if !sc.members[k] {
			sc.members[k] = true
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	h := fnv.New64a()
	for _, k := range keys {
		h.Write([]byte(k))
		h.Write([]byte{0})
	}
	sc.membersFP = strconv.FormatUint(h.Sum64(), 16)
	cp.scope = &sc
	return &cp
}

// ScopeMembersFingerprint identifies the members WithScopeMembers gave the
// scope; it is empty when none were given.
func (m *Mapper) ScopeMembersFingerprint() string {
	if m.scope == nil {
		return ""
	}
	return m.scope.membersFP
}

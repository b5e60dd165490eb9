package mapping

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/mapping/expr"
)

// Mapper is a compiled Set: expressions parsed once, policies resolved. It
// is safe for concurrent use.
type Mapper struct {
	rules    []rule
	userID   *rule
	scope    *compiledScope
	template []Field
	attrs    []string
	fp       string
	clear    []string
}

// Compile validates s and prepares it for a run.
func Compile(s Set) (*Mapper, error) {
	if probs := s.Validate(false); len(probs) > 0 {
		return nil, probs
	}
	m := &Mapper{rules: make([]rule, len(s.Mappings))}
	seen := map[string]bool{}
	addAttr := func(a string) {
		if k := strings.ToLower(a); !seen[k] {
			seen[k] = true
			m.attrs = append(m.attrs, a)
		}
	}
	for i, mp := range s.Mappings {
		r := rule{Mapping: mp, index: i, policy: mp.Policy.resolve(mp.Target), typ: mp.Type}
		if r.typ == "" {
			r.typ = defaultType(mp.Target)
		}
		if mp.Expression != "" {
			e, err := expr.Parse(mp.Expression)
			if err != nil {
				return nil, fmt.Errorf("mapping: mappings[%d].expression: %w", i, err)
			}
			r.expr = e
			r.chain, _ = e.AttributeChain()
			for _, a := range e.References() {
				addAttr(a)
			}
		} else {
			addAttr(mp.Source)
		}
		m.rules[i] = r
	}
	for i := range m.rules {
		r := &m.rules[i]
		if r.Target == FieldUserID {
			m.userID = r
		}
		if r.policy.Delete && r.Target != FieldUserID {
			if r.Target == TargetCustomFields {
				for n := 1; n <= expr.MaxCustomFields; n++ {
					m.clear = append(m.clear, "Custom"+strconv.Itoa(n))
				}
			} else {
				m.clear = append(m.clear, r.Target)
			}
		}
	}
	sc, err := compileScope(s.Scope, m.rules)
	if err != nil {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	m.scope = sc
	if sc != nil {
		for _, c := range sc.sc.Clauses {
			if _, mapped := sc.fieldFor[c.Attribute]; !mapped {
				addAttr(c.Attribute)
			}
		}
		if sc.groups != nil {
			addAttr(MemberOfAttribute)
		}
	}
	m.template = s.Template.fields()
	raw, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	h := fnv.New64a()
	h.Write(raw)
	m.fp = strconv.FormatUint(h.Sum64(), 16)
	return m, nil
}

// MustCompile is Compile for sets known to be valid, such as the baselines.
func MustCompile(s Set) *Mapper {
	m, err := Compile(s)
	if err != nil {
		panic(err)
	}
	return m
}

// Attributes lists the directory attributes the mapper reads (sources,
// attributes referenced by expressions and by the scope), so that a search
// asks for exactly those.
func (m *Mapper) Attributes() []string { return append([]string(nil), m.attrs...) }

// Fingerprint identifies everything that affects the mapper's results
// (mappings, policies, scope, template), so that a change makes every
// user's hash change and the next run re-evaluates everyone.
func (m *Mapper) Fingerprint() string { return m.fp }

// ClearOnLeave lists the fields cleared when a user leaves: those whose
// policy has delete (the Delete column of the field table). userId is never
// cleared.
func (m *Mapper) ClearOnLeave() []string { return append([]string(nil), m.clear...) }

// ClearOnLeave lists the fields a set clears when a user leaves, without
// compiling it; nil mappings mean the baseline, which clears nothing.
func ClearOnLeave(ms []Mapping) []string {
	if len(ms) == 0 {
		return nil
	}
	var out []string
	for _, mp := range ms {
		if mp.Policy.resolve(mp.Target).Delete && mp.Target != FieldUserID {
			if mp.Target == TargetCustomFields {
				for n := 1; n <= expr.MaxCustomFields; n++ {
					out = append(out, "Custom"+strconv.Itoa(n))
				}
				continue
			}
			out = append(out, mp.Target)
		}
	}
	return out
}

// entryAttrs gives expressions and scopes an entry's attributes, and its DN
// as the attributes dn and distinguishedName when the entry lacks them.
type entryAttrs struct{ e *directory.Entry }

func (a entryAttrs) Values(name string) []string {
	if v := a.e.Values(name); len(v) > 0 {
		return v
	}
	if strings.EqualFold(name, "dn") || strings.EqualFold(name, "distinguishedName") {
		if a.e.DN != "" {
			return []string{a.e.DN}
		}
	}
	return nil
}

// Package ldapfilter evaluates LDAP search filters and search scopes for the
// LDAP servers usersync runs itself: the read-only interface over published
// views and the built-in sample directory. A filter string is compiled with
// go-ldap into the BER tree of RFC 4511 and evaluated against an entry's
// values; each server supplies the matching rules of its own attributes.
package ldapfilter

import (
	"fmt"
	"strconv"
	"strings"

	ber "github.com/go-asn1-ber/asn1-ber"
	ldapv3 "github.com/go-ldap/ldap/v3"
)

// Active Directory's matching rules for extensible filters.
const (
	RuleBitAnd  = "1.2.840.113556.1.4.803"
	RuleBitOr   = "1.2.840.113556.1.4.804"
	RuleInChain = "1.2.840.113556.1.4.1941"
)

// Entry is what a filter is evaluated against. Values returns the values of
// the named attribute, whatever the case of the name, and none when the
// entry lacks it.
type Entry interface {
	Values(attr string) []string
}

// Rules are the matching rules of one server's attributes. A nil Equal
// ignores case and a nil Order compares case-folded strings, which is
// caseIgnoreMatch and caseIgnoreOrderingMatch.
type Rules struct {
	// Equal is the equality rule of attr. It also serves approximate
	// matches and extensible matches that name no rule.
	Equal func(attr, have, want string) bool
	// Order compares a value the entry holds with the asserted one and
	// returns a negative number, zero or a positive number.
	Order func(attr, have, want string) int
	// Extensible holds the matching rules, by OID, that an extensible
	// match may name. An item naming any other rule is false.
	Extensible map[string]func(attr, have, want string) bool
}

// Filter is a compiled search filter with the rules it is evaluated by.
type Filter struct {
	root  *ber.Packet
	rules Rules
}

// Compile parses a filter string in the form of RFC 4515, as gldap hands
// a request's filter over. An empty string is (objectClass=*), the filter
// RFC 4516 gives a search that names none.
func Compile(s string, rules Rules) (Filter, error) {
	if s == "" {
		s = "(objectClass=*)"
	}
	p, err := ldapv3.CompileFilter(s)
	if err != nil {
		return Filter{}, fmt.Errorf("ldapfilter: compile %q: %w", s, err)
	}
	if rules.Equal == nil {
		rules.Equal = func(_, have, want string) bool { return strings.EqualFold(have, want) }
	}
	if rules.Order == nil {
		rules.Order = func(_, have, want string) int { return CompareFold(have, want) }
	}
	return Filter{root: p, rules: rules}, nil
}

// Match reports whether the entry satisfies the filter. An item about an
// attribute the entry lacks is false, and so its negation is true, as
// RFC 4511 has it for entries without the attribute (Undefined only arises
// for unknown attributes and rules, which these servers treat alike).
func (f Filter) Match(e Entry) bool { return f.eval(f.root, e) }

func (f Filter) eval(p *ber.Packet, e Entry) bool {
	switch p.Tag {
	case ldapv3.FilterAnd:
		for _, c := range p.Children {
			if !f.eval(c, e) {
				return false
			}
		}
		return true
	case ldapv3.FilterOr:
		for _, c := range p.Children {
			if f.eval(c, e) {
				return true
			}
		}
		return false
	case ldapv3.FilterNot:
		return len(p.Children) == 1 && !f.eval(p.Children[0], e)
	case ldapv3.FilterPresent:
		return len(e.Values(p.Data.String())) > 0
	case ldapv3.FilterEqualityMatch, ldapv3.FilterApproxMatch:
		attr, want, ok := assertion(p)
		return ok && anyValue(e, attr, func(v string) bool { return f.rules.Equal(attr, v, want) })
	case ldapv3.FilterGreaterOrEqual, ldapv3.FilterLessOrEqual:
		attr, want, ok := assertion(p)
		return ok && anyValue(e, attr, func(v string) bool {
			c := f.rules.Order(attr, v, want)
			if p.Tag == ldapv3.FilterGreaterOrEqual {
				return c >= 0
			}
			return c <= 0
		})
	case ldapv3.FilterSubstrings:
		if len(p.Children) != 2 {
			return false
		}
		return anyValue(e, p.Children[0].Data.String(), func(v string) bool { return substrings(v, p.Children[1]) })
	case ldapv3.FilterExtensibleMatch:
		return f.extensible(p, e)
	}
	return false
}

// assertion returns an attribute value assertion's attribute and value,
// the raw bytes of the value, so that binary values compare byte for byte.
func assertion(p *ber.Packet) (attr, value string, ok bool) {
	if len(p.Children) != 2 {
		return "", "", false
	}
	return p.Children[0].Data.String(), p.Children[1].Data.String(), true
}

func anyValue(e Entry, attr string, ok func(string) bool) bool {
	for _, v := range e.Values(attr) {
		if ok(v) {
			return true
		}
	}
	return false
}

// substrings matches initial*any*...*final ignoring case.
func substrings(value string, seq *ber.Packet) bool {
	v := strings.ToLower(value)
	for i, c := range seq.Children {
		part := strings.ToLower(c.Data.String())
		switch c.Tag {
		case ldapv3.FilterSubstringsInitial:
			if i != 0 || !strings.HasPrefix(v, part) {
				return false
			}
			v = v[len(part):]
		case ldapv3.FilterSubstringsAny:
			j := strings.Index(v, part)
			if j < 0 {
				return false
			}
			v = v[j+len(part):]
		case ldapv3.FilterSubstringsFinal:
			if !strings.HasSuffix(v, part) {
				return false
			}
			v = ""
		}
	}
	return true
}

// extensible handles (attr:rule:=value). Without a rule it is the
// attribute's equality; a rule the server does not know makes it false
// (Undefined in RFC 4511). An item without an attribute, which would test
// every attribute of the entry, is false, as the dnAttributes flag is
// ignored.
func (f Filter) extensible(p *ber.Packet, e Entry) bool {
	var rule, attr, value string
	for _, c := range p.Children {
		switch c.Tag {
		case ldapv3.MatchingRuleAssertionMatchingRule:
			rule = c.Data.String()
		case ldapv3.MatchingRuleAssertionType:
			attr = c.Data.String()
		case ldapv3.MatchingRuleAssertionMatchValue:
			value = c.Data.String()
		}
	}
	if attr == "" {
		return false
	}
	match := f.rules.Equal
	if rule != "" {
		match = f.rules.Extensible[rule]
		if match == nil {
			return false
		}
	}
	return anyValue(e, attr, func(v string) bool { return match(attr, v, value) })
}

// RequiredEquality finds an equality on an attribute that indexed accepts
// and that every matching entry must satisfy: the filter itself, or one
// branch of a top-level AND.
func (f Filter) RequiredEquality(indexed func(attr string) bool) (attr, value string, ok bool) {
	try := func(p *ber.Packet) bool {
		if p.Tag != ldapv3.FilterEqualityMatch && p.Tag != ldapv3.FilterApproxMatch {
			return false
		}
		a, v, good := assertion(p)
		if good && indexed(a) {
			attr, value = a, v
			return true
		}
		return false
	}
	if try(f.root) {
		return attr, value, true
	}
	if f.root.Tag == ldapv3.FilterAnd {
		for _, c := range f.root.Children {
			if try(c) {
				return attr, value, true
			}
		}
	}
	return "", "", false
}

// CompareFold orders two strings ignoring case.
func CompareFold(a, b string) int {
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}

// SameDN reports whether two distinguished names name the same entry,
// ignoring case (distinguishedNameMatch); values that do not parse as DNs
// are compared as strings ignoring case.
func SameDN(a, b string) bool {
	x, err1 := ldapv3.ParseDN(a)
	y, err2 := ldapv3.ParseDN(b)
	if err1 != nil || err2 != nil {
		return strings.EqualFold(a, b)
	}
	return x.EqualFold(y)
}

// BitAnd is Active Directory's LDAP_MATCHING_RULE_BIT_AND: every bit of
// the asserted integer is set in the value.
func BitAnd(_, have, want string) bool {
	n, mask, ok := integers(have, want)
	return ok && n&mask == mask
}

// BitOr is Active Directory's LDAP_MATCHING_RULE_BIT_OR: some bit of the
// asserted integer is set in the value.
func BitOr(_, have, want string) bool {
	n, mask, ok := integers(have, want)
	return ok && n&mask != 0
}

func integers(a, b string) (x, y int64, ok bool) {
	x, errA := strconv.ParseInt(a, 10, 64)
	y, errB := strconv.ParseInt(b, 10, 64)
	return x, y, errA == nil && errB == nil
}

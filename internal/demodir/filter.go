package demodir

import (
	"fmt"
	"strconv"
	"strings"

	ber "github.com/go-asn1-ber/asn1-ber"
	ldapv3 "github.com/go-ldap/ldap/v3"
)

// Active Directory's matching rules for extensible filters.
const (
	ruleBitAnd  = "1.2.840.113556.1.4.803"
	ruleBitOr   = "1.2.840.113556.1.4.804"
	ruleInChain = "1.2.840.113556.1.4.1941"
)

// filter is a compiled search filter.
type filter struct{ root *ber.Packet }

// compileFilter turns the request's filter string (as gldap hands it over)
// back into go-ldap's BER tree, which is what gets evaluated.
func compileFilter(s string) (filter, error) {
	p, err := ldapv3.CompileFilter(s)
	if err != nil {
		return filter{}, fmt.Errorf("demodir: compile filter %q: %w", s, err)
	}
	return filter{root: p}, nil
}

// match reports whether the entry satisfies the filter. Like a real server,
// a clause naming an attribute the entry lacks is simply false.
func (f filter) match(e *entry) bool { return evalFilter(f.root, e) }

func evalFilter(p *ber.Packet, e *entry) bool {
	switch p.Tag {
	case ldapv3.FilterAnd:
		for _, c := range p.Children {
			if !evalFilter(c, e) {
				return false
			}
		}
		return true
	case ldapv3.FilterOr:
		for _, c := range p.Children {
			if evalFilter(c, e) {
				return true
			}
		}
		return false
	case ldapv3.FilterNot:
		return len(p.Children) == 1 && !evalFilter(p.Children[0], e)
	case ldapv3.FilterPresent:
		return len(e.get(p.Data.String())) > 0
	case ldapv3.FilterEqualityMatch, ldapv3.FilterApproxMatch:
		if len(p.Children) != 2 {
			return false
		}
		return anyValue(e, str(p.Children[0]), func(v string) bool { return equal(str(p.Children[0]), v, str(p.Children[1])) })
	case ldapv3.FilterGreaterOrEqual, ldapv3.FilterLessOrEqual:
		if len(p.Children) != 2 {
			return false
		}
		want := str(p.Children[1])
		return anyValue(e, str(p.Children[0]), func(v string) bool {
			c := compareOrdered(v, want)
			if p.Tag == ldapv3.FilterGreaterOrEqual {
				return c >= 0
			}
			return c <= 0
		})
	case ldapv3.FilterSubstrings:
		if len(p.Children) != 2 {
			return false
		}
		return anyValue(e, str(p.Children[0]), func(v string) bool { return substrings(v, p.Children[1]) })
	case ldapv3.FilterExtensibleMatch:
		return extensible(p, e)
	}
	return false
}

// str returns a primitive packet's raw content, so binary values such as an
// escaped objectGUID compare byte for byte.
func str(p *ber.Packet) string { return p.Data.String() }

func anyValue(e *entry, attr string, ok func(string) bool) bool {
	for _, v := range e.get(attr) {
		if ok(v) {
			return true
		}
	}
	return false
}

// dnValued lists the attributes whose values are DNs and compare as DNs.
var dnValued = map[string]bool{
	"member": true, "memberof": true, "distinguishedname": true, "objectcategory": true, "manager": true,
}

// equal is the equality rule of an attribute: raw bytes for binary values,
// DN comparison for DN values, otherwise case-insensitive.
func equal(attr, have, want string) bool {
	switch a := strings.ToLower(attr); {
	case a == "objectguid" || a == "objectsid":
		return have == want
	case a == "objectcategory" && !strings.Contains(want, "="):
		// AD accepts a class name as shorthand: (objectCategory=person).
		return strings.EqualFold(strings.TrimPrefix(strings.SplitN(have, ",", 2)[0], "CN="), want)
	case dnValued[a]:
		return sameDN(have, want)
	}
	return strings.EqualFold(have, want)
}

// compareOrdered compares two integers numerically and anything else as
// case-folded strings, which covers uSNChanged>=N and whenChanged>=T.
func compareOrdered(a, b string) int {
	x, errA := strconv.ParseInt(a, 10, 64)
	y, errB := strconv.ParseInt(b, 10, 64)
	if errA == nil && errB == nil {
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}

// substrings matches initial*any*...*final case-insensitively.
func substrings(value string, seq *ber.Packet) bool {
	v := strings.ToLower(value)
	for i, c := range seq.Children {
		part := strings.ToLower(str(c))
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

// extensible handles (attr:rule:=value) with AD's bitwise rules and the
// in-chain rule (groups here are not nested, so it is plain DN equality).
func extensible(p *ber.Packet, e *entry) bool {
	var rule, attr, value string
	for _, c := range p.Children {
		switch c.Tag {
		case ldapv3.MatchingRuleAssertionMatchingRule:
			rule = str(c)
		case ldapv3.MatchingRuleAssertionType:
			attr = str(c)
		case ldapv3.MatchingRuleAssertionMatchValue:
			value = str(c)
		}
	}
	if attr == "" {
		return false
	}
	switch rule {
	case "", ruleInChain:
		return anyValue(e, attr, func(v string) bool { return equal(attr, v, value) })
	case ruleBitAnd, ruleBitOr:
		mask, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return false
		}
		return anyValue(e, attr, func(v string) bool {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return false
			}
			if rule == ruleBitAnd {
				return n&mask == mask
			}
			return n&mask != 0
		})
	}
	return false
}

package ldapserve

import (
	"fmt"
	"strings"
	"time"

	ber "github.com/go-asn1-ber/asn1-ber"
	ldapv3 "github.com/go-ldap/ldap/v3"
)

// filter is a compiled search filter. gldap hands the request's filter
// over as a string; go-ldap turns it back into the BER tree evaluated here.
type filter struct{ root *ber.Packet }

func compileFilter(s string) (filter, error) {
	if s == "" {
		s = "(objectClass=*)"
	}
	p, err := ldapv3.CompileFilter(s)
	if err != nil {
		return filter{}, fmt.Errorf("ldapserve: filter %q: %w", s, err)
	}
	return filter{root: p}, nil
}

func (f filter) match(e *entry) bool { return eval(f.root, e) }

// eval applies one filter item. An item about an attribute the entry lacks
// is false, and so its negation is true, as RFC 4511 has it for entries
// without the attribute (Undefined only arises for unknown attributes,
// which this server treats alike).
func eval(p *ber.Packet, e *entry) bool {
	switch p.Tag {
	case ldapv3.FilterAnd:
		for _, c := range p.Children {
			if !eval(c, e) {
				return false
			}
		}
		return true
	case ldapv3.FilterOr:
		for _, c := range p.Children {
			if eval(c, e) {
				return true
			}
		}
		return false
	case ldapv3.FilterNot:
		return len(p.Children) == 1 && !eval(p.Children[0], e)
	case ldapv3.FilterPresent:
		return len(e.get(p.Data.String())) > 0
	case ldapv3.FilterEqualityMatch, ldapv3.FilterApproxMatch:
		attr, want, ok := assertion(p)
		return ok && anyValue(e, attr, func(v string) bool { return equal(attr, v, want) })
	case ldapv3.FilterGreaterOrEqual, ldapv3.FilterLessOrEqual:
		attr, want, ok := assertion(p)
		return ok && anyValue(e, attr, func(v string) bool {
			c := compare(attr, v, want)
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
		var attr, value string
		for _, c := range p.Children {
			switch c.Tag {
			case ldapv3.MatchingRuleAssertionType:
				attr = c.Data.String()
			case ldapv3.MatchingRuleAssertionMatchValue:
				value = c.Data.String()
			}
		}
		return attr != "" && anyValue(e, attr, func(v string) bool { return equal(attr, v, value) })
	}
	return false
}

func assertion(p *ber.Packet) (attr, value string, ok bool) {
	if len(p.Children) != 2 {
		return "", "", false
	}
	return p.Children[0].Data.String(), p.Children[1].Data.String(), true
}

func anyValue(e *entry, attr string, ok func(string) bool) bool {
	for _, v := range e.get(attr) {
		if ok(v) {
			return true
		}
	}
	return false
}

// dnValued lists the attributes that hold DNs and so compare as DNs
// (distinguishedNameMatch).
var dnValued = map[string]bool{"member": true, "memberof": true, "entrydn": true, "subschemasubentry": true}

// timeValued lists the attributes that hold GeneralizedTime values
// (generalizedTimeMatch and generalizedTimeOrderingMatch).
var timeValued = map[string]bool{"modifytimestamp": true, "createtimestamp": true}

// equal applies an attribute's equality rule. Every attribute this server
// serves is case-insensitive (caseIgnoreMatch, caseIgnoreIA5Match for mail,
// telephoneNumberMatch, UUIDMatch, objectIdentifierMatch for objectClass),
// so ignoring case is right for all of them; DNs and times compare by value.
func equal(attr, have, want string) bool {
	a := strings.ToLower(attr)
	switch {
	case dnValued[a]:
		return sameDN(have, want)
	case timeValued[a]:
		return compare(attr, have, want) == 0
	case a == "telephonenumber" || a == "mobile" || a == "facsimiletelephonenumber":
		// telephoneNumberMatch ignores spaces and hyphens.
		return strings.EqualFold(stripPhone(have), stripPhone(want))
	}
	return strings.EqualFold(have, want)
}

func stripPhone(s string) string {
	return strings.NewReplacer(" ", "", "-", "").Replace(s)
}

func sameDN(a, b string) bool {
	x, err1 := ldapv3.ParseDN(a)
	y, err2 := ldapv3.ParseDN(b)
	if err1 != nil || err2 != nil {
		return strings.EqualFold(a, b)
	}
	return x.EqualFold(y)
}

// compare orders two values: GeneralizedTime values as instants (so that
// (modifyTimestamp>=X) works whatever fraction or zone X is written with),
// anything else as case-folded strings.
func compare(attr, a, b string) int {
	if timeValued[strings.ToLower(attr)] {
		x, err1 := parseGeneralizedTime(a)
		y, err2 := parseGeneralizedTime(b)
		if err1 == nil && err2 == nil {
			return x.Compare(y)
		}
	}
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}

// parseGeneralizedTime reads the GeneralizedTime forms clients send:
// YYYYMMDDHHMMSS with an optional fraction, then Z or an offset.
func parseGeneralizedTime(s string) (time.Time, error) {
	for _, layout := range []string{"20060102150405Z0700", "20060102150405.999999999Z0700", "20060102150405Z07", "20060102150405.999999999Z07"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("ldapserve: %q is not a GeneralizedTime", s)
}

// substrings matches initial*any*final ignoring case.
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

// indexedLookup finds an equality on an indexed attribute that every
// matching entry must satisfy: the filter itself, or one branch of a
// top-level AND. attr is the view's LDAP attribute; the caller maps it to a
// store lookup.
func (f filter) indexedLookup(indexed func(attr string) bool) (attr, value string, ok bool) {
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

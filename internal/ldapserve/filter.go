package ldapserve

import (
	"fmt"
	"strings"
	"time"

	"github.com/usersync/usersync/internal/ldapfilter"
)

// filter is a compiled search filter with this server's matching rules.
type filter struct{ ldapfilter.Filter }

func compileFilter(s string) (filter, error) {
	f, err := ldapfilter.Compile(s, ldapfilter.Rules{Equal: equal, Order: compare})
	if err != nil {
		return filter{}, fmt.Errorf("ldapserve: filter: %w", err)
	}
	return filter{f}, nil
}

func (f filter) match(e *entry) bool { return f.Match(e) }

// Values returns the entry's values of an attribute for filters, which
// find attributes by any of their names.
func (e *entry) Values(attr string) []string { return e.get(attr) }

// indexedLookup finds an equality on an indexed attribute that every
// matching entry must satisfy. attr is the view's LDAP attribute; the
// caller maps it to a store lookup.
func (f filter) indexedLookup(indexed func(attr string) bool) (attr, value string, ok bool) {
	return f.RequiredEquality(indexed)
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

func sameDN(a, b string) bool { return ldapfilter.SameDN(a, b) }

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
	return ldapfilter.CompareFold(a, b)
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

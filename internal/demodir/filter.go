package demodir

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/usersync/usersync/internal/ldapfilter"
)

// filter is a compiled search filter with Active Directory's matching
// rules, including its bitwise rules and the in-chain rule (groups here
// are not nested, so in-chain is plain DN equality).
type filter struct{ ldapfilter.Filter }

var rules = ldapfilter.Rules{
	Equal: equal,
	Order: compareOrdered,
	Extensible: map[string]func(attr, have, want string) bool{
		ldapfilter.RuleBitAnd:  ldapfilter.BitAnd,
		ldapfilter.RuleBitOr:   ldapfilter.BitOr,
		ldapfilter.RuleInChain: equal,
	},
}

// compileFilter turns the request's filter string (as gldap hands it over)
// back into go-ldap's BER tree, which is what gets evaluated.
func compileFilter(s string) (filter, error) {
	f, err := ldapfilter.Compile(s, rules)
	if err != nil {
		return filter{}, fmt.Errorf("demodir: %w", err)
	}
	return filter{f}, nil
}

// match reports whether the entry satisfies the filter. Like a real server,
// a clause naming an attribute the entry lacks is simply false.
func (f filter) match(e *entry) bool { return f.Match(e) }

// Values returns the entry's values of an attribute for filters.
func (e *entry) Values(attr string) []string { return e.get(attr) }

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
func compareOrdered(_, a, b string) int {
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
	return ldapfilter.CompareFold(a, b)
}

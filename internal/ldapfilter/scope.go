package ldapfilter

import ldapv3 "github.com/go-ldap/ldap/v3"

// InScope reports whether an entry is within a search's scope (RFC 4511
// section 4.5.1.2). under says whether the entry's DN is the search base or
// lies below it, and below how many RDNs longer than the base's it is: a
// base search reaches the base alone, a one-level search its immediate
// children, and a subtree search the base and everything below it.
func InScope(scope int, under bool, below int) bool {
	if !under {
		return false
	}
	switch scope {
	case ldapv3.ScopeBaseObject:
		return below == 0
	case ldapv3.ScopeSingleLevel:
		return below == 1
	default:
		return true
	}
}

// InScopeDN applies InScope to parsed DNs, comparing them ignoring case.
func InScopeDN(dn, base *ldapv3.DN, scope int) bool {
	under := dn.EqualFold(base) || base.AncestorOfFold(dn)
	return InScope(scope, under, len(dn.RDNs)-len(base.RDNs))
}

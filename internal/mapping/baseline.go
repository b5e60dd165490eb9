package mapping

import "github.com/usersync/usersync/internal/directory"

// InetOrgPerson is the baseline for OpenLDAP and other servers that use the
// inetOrgPerson schema (RFC 2798).
func InetOrgPerson() Set {
	return Set{Mappings: []Mapping{
		{"uid", FieldUserID},
		{"displayName", "displayName"},
		{"givenName", "firstName"},
		{"sn", "lastName"},
		{"mail", "email"},
		{"telephoneNumber", "telephoneNumber"},
		{"mobile", "mobile"},
		{"ou", "department"},
		{"title", "title"},
		{"street", "streetAddress"},
		{"l", "city"},
		{"st", "state"},
		{"postalCode", "postalCode"},
		{"employeeNumber", "employeeId"},
	}}
}

// ActiveDirectory is the baseline for Active Directory users: the UPN is the
// user ID (seed 002).
func ActiveDirectory() Set {
	return Set{Mappings: []Mapping{
		{"userPrincipalName", FieldUserID},
		{"displayName", "displayName"},
		{"givenName", "firstName"},
		{"sn", "lastName"},
		{"mail", "email"},
		{"telephoneNumber", "telephoneNumber"},
		{"mobile", "mobile"},
		{"department", "department"},
		{"title", "title"},
		{"streetAddress", "streetAddress"},
		{"l", "city"},
		{"st", "state"},
		{"postalCode", "postalCode"},
		{"co", "country"},
		{"employeeID", "employeeId"},
	}}
}

// Baseline returns the baseline set for a directory flavor.
func Baseline(f directory.Flavor) Set {
	if f == directory.FlavorActiveDirectory {
		return ActiveDirectory()
	}
	return InetOrgPerson()
}

// DefaultLinkingKey is the attribute that links an application user to its
// entry when a connection names none: an identifier that survives renames.
func DefaultLinkingKey(f directory.Flavor) string {
	if f == directory.FlavorActiveDirectory {
		return "objectGUID"
	}
	return "entryUUID"
}

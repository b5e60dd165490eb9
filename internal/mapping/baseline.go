package mapping

import "github.com/usersync/usersync/internal/directory"

// b is one baseline record: on create and update, kept when the user leaves.
func b(source, target string) Mapping {
	return Mapping{Source: source, Target: target, Policy: keep()}
}

// bx is a baseline record with an expression source.
func bx(expression, target string) Mapping {
	return Mapping{Expression: expression, Target: target, Policy: keep()}
}

// InetOrgPerson is the baseline for OpenLDAP and other servers that use the
// inetOrgPerson schema (RFC 2798). It reproduces the LDAP column of the
// Azure → LDAP → UC Suite attribute table: the display name falls back to uid,
// cn, the DN and mail; the department is departmentNumber, or ou when that
// is missing; the business phone also feeds the first extension.
func InetOrgPerson() Set {
	return Set{Mappings: []Mapping{
		b("uid", FieldUserID),
		bx("Coalesce([displayName], [uid], [cn], [distinguishedName], [mail])", FieldName),
		b("givenName", "firstName"),
		b("sn", "lastName"),
		b("mail", FieldEmail),
		b("preferredLanguage", "language"),
		b("telephoneNumber", "telephoneNumber"),
		b("telephoneNumber", FieldExtension),
		bx("Coalesce([departmentNumber], [ou])", "department"),
		b("mobile", "mobile"),
		b("street", "streetAddress"),
		b("facsimileTelephoneNumber", "fax"),
		b("title", "title"),
		b("l", "city"),
		b("st", "state"),
		b("postalCode", "postalCode"),
		b("employeeNumber", "employeeId"),
	}}
}

// ActiveDirectory is the baseline for Active Directory users: the UPN is the
// user ID.
func ActiveDirectory() Set {
	return Set{Mappings: []Mapping{
		b("userPrincipalName", FieldUserID),
		bx("Coalesce([displayName], [cn], [sAMAccountName])", FieldName),
		b("givenName", "firstName"),
		b("sn", "lastName"),
		b("mail", FieldEmail),
		b("preferredLanguage", "language"),
		b("telephoneNumber", "telephoneNumber"),
		b("mobile", "mobile"),
		b("facsimileTelephoneNumber", "fax"),
		b("department", "department"),
		b("title", "title"),
		b("streetAddress", "streetAddress"),
		b("l", "city"),
		b("st", "state"),
		b("postalCode", "postalCode"),
		b("co", "country"),
		b("employeeID", "employeeId"),
	}}
}

// EntraID is the baseline for Microsoft Entra ID attribute names: Entra's
// attribute mapping to SCIM, with userPrincipalName as the user ID and
// objectId as the linking key (DefaultLinkingKey).
func EntraID() Set {
	return Set{Mappings: []Mapping{
		b("userPrincipalName", FieldUserID),
		b("displayName", FieldName),
		b("mail", FieldEmail),
		b("preferredLanguage", "language"),
		b("givenName", "firstName"),
		b("surname", "lastName"),
		b("streetAddress", "streetAddress"),
		b("city", "city"),
		b("state", "state"),
		b("postalCode", "postalCode"),
		b("country", "country"),
		b("telephoneNumber", "telephoneNumber"),
		b("mobile", "mobile"),
		b("facsimileTelephoneNumber", "fax"),
		b("userPrincipalName", "nickName"),
		b("department", "department"),
		b("jobTitle", "title"),
		b("employeeId", "employeeId"),
	}}
}

// FlavorEntraID names Microsoft Entra ID, for the baseline and the linking
// key; the entra system type will read it through Microsoft Graph.
const FlavorEntraID directory.Flavor = "Microsoft Entra ID"

// Baseline returns the baseline set for a directory flavor.
func Baseline(f directory.Flavor) Set {
	switch f {
	case directory.FlavorActiveDirectory:
		return ActiveDirectory()
	case FlavorEntraID:
		return EntraID()
	}
	return InetOrgPerson()
}

// DefaultLinkingKey is the attribute that links an application user to its
// entry when a connection names none: an identifier that survives renames.
func DefaultLinkingKey(f directory.Flavor) string {
	switch f {
	case directory.FlavorActiveDirectory:
		return "objectGUID"
	case FlavorEntraID:
		return "objectId"
	}
	return "entryUUID"
}

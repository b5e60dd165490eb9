package mapping

import "github.com/usersync/usersync/internal/directory"

// FlavorSCIM names a SCIM connection's users: resources a SCIM client
// wrote, read through the attribute names of package scim's Flatten
// ("name.givenName", "emails.work.value", "enterprise.department").
const FlavorSCIM directory.Flavor = "SCIM"

// SCIM is the baseline of a SCIM connection: the core User and the
// enterprise extension as Entra ID's default attribute mapping for a
// non-gallery SCIM application fills them, onto usersync's fields.
func SCIM() Set {
	return Set{Mappings: []Mapping{
		b("userName", FieldUserID),
		bx("Coalesce([displayName], [name.formatted], [userName])", FieldName),
		b("name.givenName", "firstName"),
		b("name.familyName", "lastName"),
		bx("Coalesce([emails.work.value], [emails.value])", FieldEmail),
		b("preferredLanguage", "language"),
		b("phoneNumbers.work.value", "telephoneNumber"),
		b("phoneNumbers.mobile.value", "mobile"),
		b("phoneNumbers.fax.value", "fax"),
		b("addresses.work.streetAddress", "streetAddress"),
		b("addresses.work.locality", "city"),
		b("addresses.work.region", "state"),
		b("addresses.work.postalCode", "postalCode"),
		b("addresses.work.country", "country"),
		b("title", "title"),
		b("enterprise.department", "department"),
		b("enterprise.employeeNumber", "employeeId"),
	}}
}

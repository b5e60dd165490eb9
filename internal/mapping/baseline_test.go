package mapping

import (
	"testing"

	"github.com/usersync/usersync/internal/directory"
)

// TestSeed004Table encodes the Azure → LDAP → UC Suite attribute table: an
// entry carrying the LDAP attribute through the inetOrgPerson baseline, and
// one carrying the Azure attribute through the Entra ID baseline, fill the
// same usersync field.
func TestSeed004Table(t *testing.T) {
	tests := []struct {
		label, azure, ldap, field string
	}{
		{"Display Name", "displayName", "displayName", FieldName},
		{"Email", "mail", "mail", FieldEmail},
		{"First Name", "givenName", "givenName", "firstName"},
		{"Last Name", "surname", "sn", "lastName"},
		{"Preferred language", "preferredLanguage", "preferredLanguage", "language"},
		{"Business phone", "telephoneNumber", "telephoneNumber", "telephoneNumber"},
		{"Department", "department", "departmentNumber", "department"},
		{"Mobile phone", "mobile", "mobile", "mobile"},
		{"Street address", "streetAddress", "street", "streetAddress"},
		{"Fax number", "facsimileTelephoneNumber", "facsimileTelephoneNumber", "fax"},
	}
	values := map[string]string{FieldName: "Ann Lee", FieldEmail: "ann@example.com", "firstName": "Ann", "lastName": "Lee",
		"language": "it-IT", "telephoneNumber": "+39 02 1234", "department": "R&D", "mobile": "+39 333 1234",
		"streetAddress": "Via Roma 1", "fax": "+39 02 9999"}
	ldap := compile(t, InetOrgPerson())
	entra := compile(t, EntraID())
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			v := values[tt.field]
			r := mapEntry(t, ldap, entry("uid=ann,ou=people", "uid", "ann", tt.ldap, v))
			if got := fieldsOf(r)[tt.field]; got != v {
				t.Errorf("inetOrgPerson: %s → %s = %q, want %q", tt.ldap, tt.field, got, v)
			}
			r = mapEntry(t, entra, entry("", "userPrincipalName", "ann@example.com", "displayName", "Ann", tt.azure, v))
			if got := fieldsOf(r)[tt.field]; got != v {
				t.Errorf("Entra: %s → %s = %q, want %q", tt.azure, tt.field, got, v)
			}
		})
	}
	t.Run("Object ID", func(t *testing.T) {
		// objectid → uid → UCX Suite Login Username: uid is the user ID on
		// LDAP; on Entra objectId links the user and the UPN is the ID.
		if r := mapEntry(t, ldap, entry("uid=ann", "uid", "ann")); r.UserID != "ann" {
			t.Errorf("inetOrgPerson userId = %q", r.UserID)
		}
		if k := DefaultLinkingKey(FlavorEntraID); k != "objectId" {
			t.Errorf("Entra linking key = %q", k)
		}
	})
	t.Run("Business phone is the first extension", func(t *testing.T) {
		if got := fieldsOf(mapEntry(t, ldap, entry("uid=a", "uid", "a", "telephoneNumber", "+39 02 1")))[FieldExtension]; got != "+39 02 1" {
			t.Errorf("extension = %q", got)
		}
	})
	t.Run("Display name falls back to uid, cn, dn, mail", func(t *testing.T) {
		for _, tc := range []struct {
			e    *directory.Entry
			want string
		}{
			{entry("uid=a,ou=p", "uid", "a", "cn", "A A"), "a"},
			{entry("cn=x,ou=p", "cn", "X Y", "mail", "x@y.org"), "X Y"},
			{entry("cn=x,ou=p", "mail", "x@y.org"), "cn=x,ou=p"},
		} {
			if got := fieldsOf(mapEntry(t, ldap, tc.e))[FieldName]; got != tc.want {
				t.Errorf("%s: displayName = %q, want %q", tc.e.DN, got, tc.want)
			}
		}
	})
	t.Run("Department falls back to ou", func(t *testing.T) {
		if got := fieldsOf(mapEntry(t, ldap, entry("uid=a", "uid", "a", "ou", "Sales")))["department"]; got != "Sales" {
			t.Errorf("department = %q", got)
		}
	})
}

// TestSeed004SCIMTable encodes Entra's attribute mapping to customappsso
// through the Entra ID baseline.
func TestSeed004SCIMTable(t *testing.T) {
	tests := []struct{ scim, azure, field string }{
		{"displayName", "displayName", FieldName},
		{`emails[type eq "work"].value`, "mail", FieldEmail},
		{"preferredLanguage", "preferredLanguage", "language"},
		{"name.givenName", "givenName", "firstName"},
		{"name.familyName", "surname", "lastName"},
		{`addresses[type eq "work"].streetAddress`, "streetAddress", "streetAddress"},
		{`addresses[type eq "work"].locality`, "city", "city"},
		{`addresses[type eq "work"].region`, "state", "state"},
		{`addresses[type eq "work"].postalCode`, "postalCode", "postalCode"},
		{`addresses[type eq "work"].country`, "country", "country"},
		{`phoneNumbers[type eq "work"].value`, "telephoneNumber", "telephoneNumber"},
		{`phoneNumbers[type eq "mobile"].value`, "mobile", "mobile"},
		{`phoneNumbers[type eq "fax"].value`, "facsimileTelephoneNumber", "fax"},
		{"nickName", "userPrincipalName", "nickName"},
		{"enterprise:2.0:User:department", "department", "department"},
	}
	entra := compile(t, EntraID())
	for _, tt := range tests {
		t.Run(tt.scim, func(t *testing.T) {
			v := "+39 02 42"
			switch tt.field {
			case FieldEmail, "nickName":
				v = "ann@example.com"
			case "language":
				v = "en-GB"
			}
			e := entry("", "userPrincipalName", "ann@example.com", "displayName", "Ann", tt.azure, v)
			if got := fieldsOf(mapEntry(t, entra, e))[tt.field]; got != v {
				t.Errorf("%s ← %s: %s = %q, want %q", tt.scim, tt.azure, tt.field, got, v)
			}
		})
	}
}

func TestBaselinesAreValid(t *testing.T) {
	for _, f := range []directory.Flavor{directory.FlavorActiveDirectory, directory.FlavorOpenLDAP, FlavorEntraID} {
		if _, err := Compile(Baseline(f)); err != nil {
			t.Errorf("%s baseline: %v", f, err)
		}
		if got := ClearOnLeave(Baseline(f).Mappings); len(got) != 0 {
			t.Errorf("%s baseline clears %v when a user leaves; a leaver is only marked inactive", f, got)
		}
	}
}

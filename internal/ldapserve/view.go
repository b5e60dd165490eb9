// Package ldapserve serves usersync's users over LDAP: published views of
// the store as a read-only LDAP v3 directory of inetOrgPerson entries and
// groupOfNames groups, for applications that speak only LDAP.
package ldapserve

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/store"
)

// ErrInvalid marks a view document or service account that cannot be saved.
var ErrInvalid = errors.New("invalid")

// FieldUserID names the user's userId where a view's attributes name
// application fields.
const FieldUserID = "userId"

// DefaultAttributes is the inetOrgPerson attribute table of the cloud LDAP
// bridge read the other way round: which application field fills each LDAP
// attribute when a view names none.
func DefaultAttributes() map[string]string {
	return map[string]string{
		"uid":                      FieldUserID,
		"cn":                       store.FieldDisplayName,
		"displayName":              store.FieldDisplayName,
		"givenName":                store.FieldFirstName,
		"sn":                       store.FieldLastName,
		"mail":                     store.FieldEmail,
		"telephoneNumber":          "telephoneNumber",
		"mobile":                   "mobile",
		"departmentNumber":         "department",
		"preferredLanguage":        "language",
		"street":                   "streetAddress",
		"facsimileTelephoneNumber": "fax",
		"title":                    "title",
		"l":                        "city",
	}
}

// Presets of a view's attribute table.
const (
	PresetInetOrgPerson = "inetOrgPerson"
	PresetPhoneBook     = "phoneBook"
)

// PhoneBookAttributes is a directory-lookup view for IP phones: a name, the
// numbers and the mail address, nothing else.
func PhoneBookAttributes() map[string]string {
	return map[string]string{
		"uid":             FieldUserID,
		"cn":              store.FieldDisplayName,
		"givenName":       store.FieldFirstName,
		"sn":              store.FieldLastName,
		"mail":            store.FieldEmail,
		"telephoneNumber": "telephoneNumber",
		"mobile":          "mobile",
	}
}

// attributes served whatever the view maps, which a view cannot redefine.
var reserved = map[string]bool{
	"objectclass": true, "entryuuid": true, "modifytimestamp": true, "createtimestamp": true,
	"memberof": true, "member": true, "entrydn": true, "subschemasubentry": true, "hassubordinates": true,
}

var (
	viewName     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	attrName     = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,63}$`)
	accountNameR = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)
)

// ValidateView fills a view's defaults and reports every problem at once,
// each naming its field.
func ValidateView(v *store.LDAPView) error {
	var problems []string
	add := func(field, format string, args ...any) {
		problems = append(problems, field+": "+fmt.Sprintf(format, args...))
	}
	if !viewName.MatchString(v.Name) {
		add("name", "%q must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit", v.Name)
	}
	if strings.TrimSpace(v.BaseDN) == "" {
		add("baseDN", "is required, such as ou=people,o=example")
	} else if dn, err := ldapv3.ParseDN(v.BaseDN); err != nil || len(dn.RDNs) == 0 {
		add("baseDN", "%q is not a distinguished name", v.BaseDN)
	} else if strings.EqualFold(dn.String(), "cn=subschema") {
		add("baseDN", "cn=subschema is the schema's own entry")
	}
	if len(v.Connections) == 0 {
		add("connections", "name at least one connection, or \"*\" for every connection and the local users")
	}
	seen := map[string]bool{}
	for i, c := range v.Connections {
		switch {
		case strings.TrimSpace(c) == "":
			add(fmt.Sprintf("connections[%d]", i), "is empty")
		case seen[c]:
			add(fmt.Sprintf("connections[%d]", i), "%q is listed twice", c)
		}
		seen[c] = true
	}
	switch v.Preset {
	case "", PresetInetOrgPerson:
		if len(v.Attributes) == 0 {
			v.Attributes = DefaultAttributes()
		}
	case PresetPhoneBook:
		if len(v.Attributes) == 0 {
			v.Attributes = PhoneBookAttributes()
		}
	default:
		add("preset", "%q is not %q or %q", v.Preset, PresetInetOrgPerson, PresetPhoneBook)
	}
	names := make([]string, 0, len(v.Attributes))
	for a := range v.Attributes {
		names = append(names, a)
	}
	sort.Strings(names)
	lower := map[string]string{}
	for _, a := range names {
		f := v.Attributes[a]
		switch {
		case !attrName.MatchString(a):
			add("attributes."+a, "is not an LDAP attribute name")
		case reserved[strings.ToLower(a)]:
			add("attributes."+a, "is served by usersync itself and cannot be mapped")
		case lower[strings.ToLower(a)] != "":
			add("attributes."+a, "is the same attribute as %q (names ignore case)", lower[strings.ToLower(a)])
		case strings.TrimSpace(f) == "":
			add("attributes."+a, "names no application field")
		}
		lower[strings.ToLower(a)] = a
	}
	if lower["uid"] == "" {
		add("attributes", "must map uid, the entries' naming attribute")
	}
	if len(problems) > 0 {
		return fmt.Errorf("ldapserve: view: %w: %s", ErrInvalid, strings.Join(problems, "; "))
	}
	return nil
}

// ValidateAccountName checks a service account's name, which becomes the
// cn of its bind DN.
func ValidateAccountName(name string) error {
	if !accountNameR.MatchString(name) {
		return fmt.Errorf("ldapserve: account: %w: name: %q must be 1 to 64 letters, digits, '.', '_', '@' or '-'", ErrInvalid, name)
	}
	return nil
}

// AccountDN is the DN a service account binds as: its name under the
// view's base DN.
func AccountDN(v store.LDAPView, account string) string {
	return "cn=" + ldapv3.EscapeDN(account) + "," + v.BaseDN
}

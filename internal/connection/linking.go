package connection

import (
	"errors"
	"fmt"
	"strings"
)

// ErrBadLinkingKey means a relying party's linkingKey cannot be read.
var ErrBadLinkingKey = errors.New("bad linking key")

// FieldUserID is the usersync field a relying party links on by default.
const FieldUserID = "userId"

// DefaultRelyingPartyLink is the link of a relying-party connection whose
// linkingKey is empty: usersync's userId against AD's userPrincipalName.
var DefaultRelyingPartyLink = Link{Field: FieldUserID, Attribute: "userPrincipalName"}

// Link is how a relying-party connection pairs a usersync user with a
// directory entry: the usersync Field (userId, or a mapped field such as
// email or employeeId) must equal the entry's Attribute, compared
// case-insensitively as Active Directory compares names.
type Link struct {
	Field     string
	Attribute string
}

// String returns the link in linkingKey form, "field=attribute".
func (l Link) String() string { return l.Field + "=" + l.Attribute }

// IsUPN reports whether the link reads the entry's userPrincipalName, which
// mailFallbackOnMissingUpn may replace with its mail.
func (l Link) IsUPN() bool { return strings.EqualFold(l.Attribute, "userPrincipalName") }

// RelyingPartyLink reads the linkingKey of a relying-party connection:
//
//	""                      userId=userPrincipalName
//	"ATTRIBUTE"             userId=ATTRIBUTE, e.g. "userPrincipalName"
//	"FIELD=ATTRIBUTE"       e.g. "email=mail" or "employeeId=employeeID"
//
// FIELD is a usersync field name (userId, or any field a mapping fills);
// ATTRIBUTE is the directory attribute holding the same value.
func RelyingPartyLink(linkingKey string) (Link, error) {
	s := strings.TrimSpace(linkingKey)
	if s == "" {
		return DefaultRelyingPartyLink, nil
	}
	field, attr, ok := strings.Cut(s, "=")
	if !ok {
		field, attr = FieldUserID, s
	}
	field, attr = strings.TrimSpace(field), strings.TrimSpace(attr)
	if !fieldRE.MatchString(field) {
		return Link{}, fmt.Errorf("%w: %q: usersync field %q must be a field name such as userId or email", ErrBadLinkingKey, linkingKey, field)
	}
	if !attributeRE.MatchString(attr) {
		return Link{}, fmt.Errorf("%w: %q: %q is not an LDAP attribute name", ErrBadLinkingKey, linkingKey, attr)
	}
	return Link{Field: field, Attribute: attr}, nil
}

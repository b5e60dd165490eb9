package scim

import "strings"

// Attribute types of RFC 7643, section 2.3.
const (
	typeString    = "string"
	typeBoolean   = "boolean"
	typeComplex   = "complex"
	typeReference = "reference"
	typeDateTime  = "dateTime"
	typeBinary    = "binary"
)

// Attr describes one attribute of a schema (RFC 7643, section 7).
type Attr struct {
	Name       string
	Type       string
	Multi      bool
	Sub        []Attr
	CaseExact  bool
	Required   bool
	Mutability string // readWrite (default), readOnly, writeOnly, immutable
	Returned   string // default (default), always, never
	Uniqueness string // none (default), server
}

// Schema is a resource schema or extension.
type Schema struct {
	ID, Name, Description string
	Attrs                 []Attr
}

func str(name string) Attr     { return Attr{Name: name, Type: typeString} }
func exact(name string) Attr   { return Attr{Name: name, Type: typeString, CaseExact: true} }
func boolean(name string) Attr { return Attr{Name: name, Type: typeBoolean} }
func ref(name string) Attr     { return Attr{Name: name, Type: typeReference, CaseExact: true} }
func complexAttr(name string, sub ...Attr) Attr {
	return Attr{Name: name, Type: typeComplex, Sub: sub}
}
func multi(name string, sub ...Attr) Attr {
	return Attr{Name: name, Type: typeComplex, Multi: true, Sub: sub}
}

// plural are the sub-attributes of RFC 7643's multi-valued attributes
// (section 2.4).
func plural(name string, value Attr) Attr {
	return multi(name, value, str("display"), str("type"), boolean("primary"))
}

var addressSub = []Attr{str("formatted"), str("streetAddress"), str("locality"), str("region"), str("postalCode"), str("country"),
	str("type"), boolean("primary")}

// UserSchema is RFC 7643's core User (section 4.1).
var UserSchema = Schema{ID: UserURN, Name: "User", Description: "User Account", Attrs: []Attr{
	{Name: "userName", Type: typeString, Required: true, Uniqueness: "server"},
	complexAttr("name", str("formatted"), str("familyName"), str("givenName"), str("middleName"), str("honorificPrefix"), str("honorificSuffix")),
	str("displayName"), str("nickName"), ref("profileUrl"), str("title"), str("userType"), str("preferredLanguage"), str("locale"), str("timezone"),
	boolean("active"),
	{Name: "password", Type: typeString, Mutability: "writeOnly", Returned: "never"},
	plural("emails", str("value")), plural("phoneNumbers", str("value")), plural("ims", str("value")), plural("photos", ref("value")),
	multi("addresses", addressSub...),
	{Name: "groups", Type: typeComplex, Multi: true, Mutability: "readOnly", Sub: []Attr{exact("value"), ref("$ref"), str("display"), str("type")}},
	plural("entitlements", str("value")), plural("roles", str("value")),
	plural("x509Certificates", Attr{Name: "value", Type: typeBinary, CaseExact: true}),
}}

// EnterpriseSchema is RFC 7643's enterprise User extension (section 4.3).
var EnterpriseSchema = Schema{ID: EnterpriseURN, Name: "EnterpriseUser", Description: "Enterprise User", Attrs: []Attr{
	str("employeeNumber"), str("costCenter"), str("organization"), str("division"), str("department"),
	complexAttr("manager", exact("value"), ref("$ref"), Attr{Name: "displayName", Type: typeString, Mutability: "readOnly"}),
}}

// GroupSchema is RFC 7643's Group (section 4.2).
var GroupSchema = Schema{ID: GroupURN, Name: "Group", Description: "Group", Attrs: []Attr{
	{Name: "displayName", Type: typeString, Required: true},
	{Name: "members", Type: typeComplex, Multi: true, Sub: []Attr{exact("value"), ref("$ref"), str("display"), str("type")}},
}}

// commonAttrs are on every resource (RFC 7643, section 3.1).
var commonAttrs = []Attr{
	{Name: "id", Type: typeString, CaseExact: true, Mutability: "readOnly", Returned: "always", Uniqueness: "server"},
	{Name: "externalId", Type: typeString, CaseExact: true},
	{Name: "meta", Type: typeComplex, Mutability: "readOnly", Sub: []Attr{str("resourceType"), {Name: "created", Type: typeDateTime},
		{Name: "lastModified", Type: typeDateTime}, ref("location"), exact("version")}},
}

// Resource kinds.
const (
	KindUser  = "User"
	KindGroup = "Group"
)

// schemaOf is the core schema of a kind.
func schemaOf(kind string) *Schema {
	if kind == KindGroup {
		return &GroupSchema
	}
	return &UserSchema
}

func findAttr(attrs []Attr, name string) *Attr {
	for i := range attrs {
		if strings.EqualFold(attrs[i].Name, name) {
			return &attrs[i]
		}
	}
	return nil
}

// coreAttr finds a top-level attribute of a kind, the common ones included.
func coreAttr(kind, name string) *Attr {
	if a := findAttr(commonAttrs, name); a != nil {
		return a
	}
	return findAttr(schemaOf(kind).Attrs, name)
}

// isEnterpriseURN recognises the enterprise extension's URN, also as
// Microsoft's own provisioning example misspells it, without the colon
// before "User".
func isEnterpriseURN(s string) bool {
	return strings.EqualFold(s, EnterpriseURN) || strings.EqualFold(s, "urn:ietf:params:scim:schemas:extension:enterprise:2.0User")
}

// splitURN splits "urn:...:User:name.sub" into the schema URN and the
// attribute path, for the two schemas a User has. ok is false when s does
// not start with a known schema URN.
func splitURN(kind, s string) (urn, rest string, ok bool) {
	low := strings.ToLower(s)
	for _, u := range []string{EnterpriseURN, "urn:ietf:params:scim:schemas:extension:enterprise:2.0User", schemaOf(kind).ID} {
		l := strings.ToLower(u)
		if low == l {
			return canonicalURN(u), "", true
		}
		if strings.HasPrefix(low, l+":") {
			return canonicalURN(u), s[len(u)+1:], true
		}
	}
	return "", "", false
}

func canonicalURN(u string) string {
	if isEnterpriseURN(u) {
		return EnterpriseURN
	}
	return u
}

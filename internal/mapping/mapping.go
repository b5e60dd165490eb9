// Package mapping turns directory entries into application fields: mapping
// records (a directory attribute or an expression → an application field),
// the baseline sets that reproduce the documented attribute tables, the per-field policies
// (operation policy, strength, empty values, typed checks), scopes and
// provisioning templates.
//
// A Set is the configuration an operator writes; Compile turns it into a
// Mapper, which parses every expression once and is what a run uses.
package mapping

import (
	"github.com/usersync/usersync/internal/mapping/expr"
)

// FieldUserID is the application field that identifies a user (IP Office's
// User Identification). Every mapping set must fill it.
const FieldUserID = "userId"

// FieldName is the application field that names a user (IP Office's Name).
// Every mapping set must fill it.
const FieldName = "displayName"

// TargetCustomFields is the pseudo target of a mapping whose value is the
// "$$$"-joined custom-field form; it fills Custom1 to Custom10.
const TargetCustomFields = "customFields"

// Strength says whether a mapped value overwrites what the application
// holds.
type Strength string

// Strengths.
const (
	// StrengthAlways imports the value on every sync ("Import every time
	// from LDAP field X"): an operator's edit is overwritten.
	StrengthAlways Strength = "always"
	// StrengthKeepExisting only fills an empty value ("Keep existing
	// value"): an operator's edit survives.
	StrengthKeepExisting Strength = "keepExisting"
)

// FieldType is what a mapped value must look like. A value that does not
// fit is recorded as a warning on the user, or fails the user when the
// mapping is strict.
type FieldType string

// Field types. The zero type is text, which accepts anything.
const (
	TypeText     FieldType = "text"
	TypeEmail    FieldType = "email"
	TypePhone    FieldType = "phone"
	TypeLanguage FieldType = "language"
	TypeTimeZone FieldType = "timeZone"
)

// Mapping is one mapping record (an AD Field → APM Field row): a source,
// either a directory attribute or an expression, feeds an application
// field. Several records may share a source (one LDAP field may feed both
// Name and Full Name); each target is filled by one record.
type Mapping struct {
	// Source is a directory attribute; Expression is the alternative.
	Source string `json:"source,omitempty"`
	// Expression is an Entra-compatible expression (package expr).
	Expression string `json:"expression,omitempty"`
	// Target is the application field, or "customFields".
	Target string `json:"target"`
	// Default is used when the source is missing or empty (Entra's
	// "default value if null").
	Default string `json:"default,omitempty"`
	// Policy says on which operations the mapping applies; omitted parts
	// take the defaults of DefaultPolicy.
	Policy *Policy `json:"policy,omitempty"`
	// Strength is "always" (the default) or "keepExisting".
	Strength Strength `json:"strength,omitempty"`
	// ClearWhenEmpty makes a missing or empty source value clear the
	// application field; by default an empty value is not provisioned and
	// the field is left alone.
	ClearWhenEmpty bool `json:"clearWhenEmpty,omitempty"`
	// Type is checked on every value; the default depends on the target
	// (email, telephone numbers, language, timeZone).
	Type FieldType `json:"type,omitempty"`
	// Strict makes a value that fails its type check or an expression that
	// fails fail the user instead of warning. An invalid custom field, a
	// refused multi-valued source and a value holding a separator always
	// fail the user.
	Strict bool `json:"strict,omitempty"`
	// MultiValue is "first", "join" or "error": what a source with several
	// values gives the field. Unset, an attribute source keeps its first
	// value and the user gets a warning; an expression's list is joined
	// with ", ".
	MultiValue MultiValue `json:"multiValue,omitempty"`
	// Separator joins the values under multiValue "join"; DefaultSeparator
	// when empty.
	Separator string `json:"separator,omitempty"`
}

// Set is a connection's mapping configuration: the mapping records, the
// scope that decides who is provisioned, and the template applied to new
// users.
type Set struct {
	Mappings []Mapping `json:"mappings"`
	Scope    *Scope    `json:"scope,omitempty"`
	Template *Template `json:"template,omitempty"`
	// ByObject says that scope.groups and scope.users name Entra ID
	// objects (a group by displayName or object id, a user by object id)
	// rather than DNs: an Entra connection's set. It is not part of the
	// mapping document, which reads the same on every connection.
	ByObject bool `json:"-"`
}

// Field is one mapped application field. An empty Value means "clear the
// field" and only occurs for mappings with ClearWhenEmpty.
type Field struct {
	Name  string
	Value string
	rule  *rule
}

// Change is one field's old and new value in an update.
type Change struct {
	Field, Old, New string
}

// Result is what a Mapper says about one entry.
type Result struct {
	// UserID is the mapped userId, "" when the entry has none.
	UserID string
	// Fields are the mapped fields in mapping order; missing and empty
	// values are left out unless their mapping clears.
	Fields []Field
	// OutOfScope, when not empty, says why the entry is outside the scope.
	OutOfScope string
	// Warnings are value problems that did not block the user.
	Warnings []string
	// Err, when not nil, means the user must not be written: a strict
	// mapping failed, a custom field is invalid, or the scope could not be
	// decided. It names the field.
	Err error
	// Unique, when set by the caller before Map, checks the candidates of
	// SelectUniqueValue for the entry being mapped. Map keeps it.
	Unique Uniqueness
}

// Uniqueness decides whether value is free for the entry being mapped in
// the application field: held by no other user and claimed by no other
// entry of the run. A free value is claimed for the entry.
type Uniqueness interface {
	Claim(field, value string) (bool, error)
}

// fieldClaim checks SelectUniqueValue's candidates for one field.
type fieldClaim struct {
	u     Uniqueness
	field string
}

func (f fieldClaim) Claim(value string) (bool, error) { return f.u.Claim(f.field, value) }

func (r *Result) reset() {
	r.UserID, r.OutOfScope, r.Err = "", "", nil
	r.Fields = r.Fields[:0]
	r.Warnings = r.Warnings[:0]
}

// Clone returns a copy that does not share memory with r, which a Mapper
// reuses for the next entry.
func (r *Result) Clone() Result {
	c := *r
	c.Fields = append([]Field(nil), r.Fields...)
	c.Warnings = append([]string(nil), r.Warnings...)
	return c
}

// rule is a compiled mapping record.
type rule struct {
	Mapping
	index int
	expr  *expr.Expr
	// chain, when set, is the expression as a list of attributes to try
	// in order (expr.AttributeChain): looked up directly, without
	// evaluating the expression or allocating.
	chain  []string
	policy resolvedPolicy
	typ    FieldType
}

package expr

import "strings"

// Kind says which of the four shapes a [Value] has.
type Kind int

// The kinds of values an expression produces.
const (
	// KindNull is a missing value: an absent attribute or an omitted argument.
	KindNull Kind = iota
	// KindString is a single string.
	KindString
	// KindBool is a boolean, produced by comparisons and predicates.
	KindBool
	// KindList is a list of strings, such as a multi-valued attribute.
	KindList
)

// String returns the lowercase name of the kind.
func (k Kind) String() string {
	switch k {
	case KindNull:
		return "null"
	case KindString:
		return "string"
	case KindBool:
		return "bool"
	case KindList:
		return "list"
	}
	return "unknown"
}

// Value is the result of evaluating an expression or a part of one. The zero
// Value is null.
type Value struct {
	kind Kind
	str  string
	b    bool
	list []string
	// ignore marks the null that IgnoreFlowIfNullOrEmpty returns.
	ignore bool
}

// Null returns the null value.
func Null() Value { return Value{} }

// Str returns a string value.
func Str(s string) Value { return Value{kind: KindString, str: s} }

// Bool returns a boolean value.
func Bool(b bool) Value { return Value{kind: KindBool, b: b} }

// List returns a list value holding a copy of items.
func List(items []string) Value {
	return Value{kind: KindList, list: append([]string(nil), items...)}
}

// fromValues converts the values of an attribute: none is null, one is a
// string and more than one is a list.
func fromValues(vals []string) Value {
	switch len(vals) {
	case 0:
		return Null()
	case 1:
		return Str(vals[0])
	}
	return List(vals)
}

// IgnoreFlow reports whether v is the result of IgnoreFlowIfNullOrEmpty on
// a null or empty value: the mapping must leave its field untouched. Such
// a value is also null.
func (v Value) IgnoreFlow() bool { return v.ignore }

// Kind returns the kind of v.
func (v Value) Kind() Kind { return v.kind }

// IsNull reports whether v is null.
func (v Value) IsNull() bool { return v.kind == KindNull }

// Strings returns v as a list of strings: nothing for null, one element for a
// string or a boolean, and a copy of the elements for a list.
func (v Value) Strings() []string {
	switch v.kind {
	case KindString, KindBool:
		return []string{v.String()}
	case KindList:
		return append([]string(nil), v.list...)
	}
	return nil
}

// String returns the text of v. Booleans print as "True" and "False", as in
// .NET and therefore in Entra; null prints as the empty string and a list as
// its elements separated by ", ".
func (v Value) String() string {
	switch v.kind {
	case KindString:
		return v.str
	case KindBool:
		return formatBool(v.b)
	case KindList:
		return strings.Join(v.list, ", ")
	}
	return ""
}

// AsBool returns the boolean meaning of v: a boolean as is, and the strings
// "true" and "false" in any case and surrounded by spaces. It reports false
// in ok for anything else.
func (v Value) AsBool() (b bool, ok bool) {
	switch v.kind {
	case KindBool:
		return v.b, true
	case KindString:
		return parseBool(v.str)
	}
	return false, false
}

// Equal reports whether v and w have the same kind and content.
func (v Value) Equal(w Value) bool {
	if v.kind != w.kind {
		return false
	}
	switch v.kind {
	case KindString:
		return v.str == w.str
	case KindBool:
		return v.b == w.b
	case KindList:
		if len(v.list) != len(w.list) {
			return false
		}
		for i := range v.list {
			if v.list[i] != w.list[i] {
				return false
			}
		}
	}
	return true
}

// GoString returns a debugging representation that shows the kind.
func (v Value) GoString() string {
	switch v.kind {
	case KindString:
		return "Str(" + quote(v.str) + ")"
	case KindBool:
		return "Bool(" + formatBool(v.b) + ")"
	case KindList:
		q := make([]string, len(v.list))
		for i, s := range v.list {
			q[i] = quote(s)
		}
		return "List(" + strings.Join(q, ", ") + ")"
	}
	return "Null()"
}

func formatBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

func parseBool(s string) (b bool, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// Package scope implements scoping filters as Microsoft Entra ID defines
// them for provisioning: AND-ed clauses over single-valued attributes that
// decide whether a directory user is in scope for synchronization. A null
// or empty value never matches, except with IS NULL.
package scope

import (
	"fmt"
	"strings"
)

// Operator is a clause operator in its canonical camelCase form, which is
// how it is serialized. Any spelling Entra shows ("NOT EQUALS",
// "Greater_Than_OR_EQUALS", "ENDS_WITH") is accepted when parsing,
// case-insensitively and with spaces, underscores and hyphens ignored.
type Operator string

// The operators of Entra scoping filters.
const (
	Equals              Operator = "equals"
	NotEquals           Operator = "notEquals"
	IsTrue              Operator = "isTrue"
	IsFalse             Operator = "isFalse"
	IsNull              Operator = "isNull"
	IsNotNull           Operator = "isNotNull"
	RegexMatch          Operator = "regexMatch"
	NotRegexMatch       Operator = "notRegexMatch"
	GreaterThan         Operator = "greaterThan"
	GreaterThanOrEquals Operator = "greaterThanOrEquals"
	Includes            Operator = "includes"
	EndsWith            Operator = "endsWith"
)

// Operators lists every operator in the order Entra documents them.
var Operators = []Operator{Equals, NotEquals, IsTrue, IsFalse, IsNull, IsNotNull,
	RegexMatch, NotRegexMatch, GreaterThan, GreaterThanOrEquals, Includes, EndsWith}

// entraNames are the spellings the Entra portal and documentation use.
var entraNames = map[Operator]string{
	Equals: "EQUALS", NotEquals: "NOT EQUALS", IsTrue: "IS TRUE", IsFalse: "IS FALSE",
	IsNull: "IS NULL", IsNotNull: "IS NOT NULL", RegexMatch: "REGEX MATCH",
	NotRegexMatch: "NOT REGEX MATCH", GreaterThan: "Greater_Than",
	GreaterThanOrEquals: "Greater_Than_OR_EQUALS", Includes: "Includes", EndsWith: "ENDS_WITH",
}

var byKey = func() map[string]Operator {
	m := map[string]Operator{}
	for _, op := range Operators {
		m[opKey(string(op))] = op
	}
	return m
}()

// opKey folds a spelling to lowercase letters only.
func opKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r == ' ' || r == '_' || r == '-' || r == '\t' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ParseOperator returns the operator named by s in any accepted spelling.
func ParseOperator(s string) (Operator, error) {
	if op, ok := byKey[opKey(s)]; ok {
		return op, nil
	}
	return "", fmt.Errorf("scope: unknown operator %q", s)
}

// Known reports whether op is one of the canonical operators.
func (op Operator) Known() bool {
	_, ok := entraNames[op]
	return ok
}

// EntraName returns the spelling the Entra portal shows, such as
// "NOT EQUALS".
func (op Operator) EntraName() string {
	if n, ok := entraNames[op]; ok {
		return n
	}
	return string(op)
}

// UnmarshalText accepts any spelling. An unknown operator is kept as
// written so that Validate can report it with the other problems.
func (op *Operator) UnmarshalText(b []byte) error {
	if known, err := ParseOperator(string(b)); err == nil {
		*op = known
		return nil
	}
	*op = Operator(b)
	return nil
}

// MarshalText writes the canonical form.
func (op Operator) MarshalText() ([]byte, error) {
	return []byte(op), nil
}

// needsValue reports whether the operator compares with a value.
func (op Operator) needsValue() bool {
	switch op {
	case IsTrue, IsFalse, IsNull, IsNotNull:
		return false
	}
	return true
}

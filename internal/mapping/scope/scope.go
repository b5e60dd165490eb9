package scope

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Attributes gives a scope the values of a directory entry's attributes; it
// has the same shape as expr.Attributes.
type Attributes interface {
	Values(name string) []string
}

// Clause is one condition: Attribute Operator Value.
type Clause struct {
	// Attribute is the directory attribute tested.
	Attribute string `json:"attribute"`
	// Operator says how the attribute is tested.
	Operator Operator `json:"operator"`
	// Value is what the attribute is compared with; empty for IS TRUE,
	// IS FALSE, IS NULL and IS NOT NULL.
	Value string `json:"value,omitempty"`

	re *regexp.Regexp // compiled by Validate for the regex operators
}

// Scope is a set of clauses that must all match (AND). A scope without
// clauses matches every user.
type Scope struct {
	// Clauses are evaluated in order; the first that fails is reported.
	Clauses []Clause `json:"clauses"`
}

// FieldError is one validation problem, located by its JSON path such as
// "scope.clauses[2].operator".
type FieldError struct {
	// Field is the JSON path of the offending field.
	Field string
	// Msg says what is wrong.
	Msg string
}

// Error returns "field: message".
func (e FieldError) Error() string { return e.Field + ": " + e.Msg }

// ValidationError lists every problem Validate found.
type ValidationError struct {
	// Problems are in clause order.
	Problems []FieldError
}

// Error returns all problems, separated by "; ".
func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Error()
	}
	return "scope: invalid: " + strings.Join(msgs, "; ")
}

// Validate checks every clause and reports all problems at once as a
// *ValidationError. It also compiles regular expressions once, for Match;
// call it before sharing the scope between goroutines. Match works on an
// unvalidated scope too, compiling as it goes.
func (s *Scope) Validate() error {
	var probs []FieldError
	add := func(i int, field, format string, args ...any) {
		probs = append(probs, FieldError{Field: fmt.Sprintf("scope.clauses[%d].%s", i, field), Msg: fmt.Sprintf(format, args...)})
	}
	for i := range s.Clauses {
		c := &s.Clauses[i]
		c.re = nil
		if strings.TrimSpace(c.Attribute) == "" {
			add(i, "attribute", "is required")
		}
		if !c.Operator.Known() {
			if c.Operator == "" {
				add(i, "operator", "is required")
			} else {
				add(i, "operator", "unknown operator %q; expected one of %s", string(c.Operator), operatorList())
			}
			continue
		}
		if !c.Operator.needsValue() {
			if c.Value != "" {
				add(i, "value", "must be empty for %s, got %q", c.Operator.EntraName(), c.Value)
			}
			continue
		}
		if c.Value == "" {
			add(i, "value", "is required for %s (an empty value never matches)", c.Operator.EntraName())
			continue
		}
		switch c.Operator {
		case RegexMatch, NotRegexMatch:
			re, err := regexp.Compile(c.Value)
			if err != nil {
				add(i, "value", "invalid regular expression: %v", err)
				continue
			}
			c.re = re
		case GreaterThan, GreaterThanOrEquals:
			if _, err := strconv.ParseInt(strings.TrimSpace(c.Value), 10, 64); err != nil {
				add(i, "value", "must be an integer for %s, got %q", c.Operator.EntraName(), c.Value)
			}
		}
	}
	if len(probs) > 0 {
		return &ValidationError{Problems: probs}
	}
	return nil
}

func operatorList() string {
	names := make([]string, len(Operators))
	for i, op := range Operators {
		names[i] = string(op)
	}
	return strings.Join(names, ", ")
}

// ErrMultiValued is wrapped by Match errors for attributes with several
// values, which scoping filters do not support.
var ErrMultiValued = errors.New("scoping filters accept single-valued attributes only")

// ErrNotInteger is wrapped by Match errors for Greater_Than comparisons on
// values that are not integers.
var ErrNotInteger = errors.New("not an integer")

// Match reports whether attrs satisfy every clause. When they do not, failed
// points to the first clause that did not match, so the product can explain
// why a user is out of scope. An error (a multi-valued attribute, a
// non-integer value for Greater_Than, an invalid clause) also returns the
// clause concerned, and the user should be treated as neither in nor out
// of scope.
//
// Comparisons are case-sensitive, as in Entra. A null or empty value never
// matches, except with IS NULL; in particular NOT EQUALS does not match a
// null value.
func (s *Scope) Match(attrs Attributes) (matched bool, failed *Clause, err error) {
	for i := range s.Clauses {
		c := &s.Clauses[i]
		ok, err := c.match(attrs)
		if err != nil {
			return false, c, fmt.Errorf("scope: clauses[%d] (%s %s): %w", i, c.Attribute, c.Operator.EntraName(), err)
		}
		if !ok {
			return false, c, nil
		}
	}
	return true, nil, nil
}

// String describes the clause as Entra shows it, such as
// `department EQUALS "Sales"`.
func (c *Clause) String() string {
	if !c.Operator.needsValue() {
		return c.Attribute + " " + c.Operator.EntraName()
	}
	return fmt.Sprintf("%s %s %q", c.Attribute, c.Operator.EntraName(), c.Value)
}

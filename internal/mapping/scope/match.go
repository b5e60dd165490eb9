package scope

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// match evaluates one clause.
func (c *Clause) match(attrs Attributes) (bool, error) {
	var vals []string
	if attrs != nil {
		vals = attrs.Values(c.Attribute)
	}
	if len(vals) > 1 {
		return false, fmt.Errorf("attribute %s has %d values; %w", c.Attribute, len(vals), ErrMultiValued)
	}
	v, null := "", true
	if len(vals) == 1 && vals[0] != "" {
		v, null = vals[0], false
	}
	if c.Operator == IsNull {
		return null, nil
	}
	if null {
		if !c.Operator.Known() {
			return false, fmt.Errorf("unknown operator %q", string(c.Operator))
		}
		return false, nil
	}
	switch c.Operator {
	case Equals:
		return v == c.Value, nil
	case NotEquals:
		return v != c.Value, nil
	case IsTrue, IsFalse:
		b, ok := parseBool(v)
		return ok && b == (c.Operator == IsTrue), nil
	case IsNotNull:
		return true, nil
	case RegexMatch, NotRegexMatch:
		re := c.re
		if re == nil {
			var err error
			if re, err = regexp.Compile(c.Value); err != nil {
				return false, fmt.Errorf("invalid regular expression: %w", err)
			}
		}
		return re.MatchString(v) == (c.Operator == RegexMatch), nil
	case GreaterThan, GreaterThanOrEquals:
		limit, err := strconv.ParseInt(strings.TrimSpace(c.Value), 10, 64)
		if err != nil {
			return false, fmt.Errorf("clause value %q is %w", c.Value, ErrNotInteger)
		}
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return false, fmt.Errorf("attribute %s value %q is %w", c.Attribute, v, ErrNotInteger)
		}
		if c.Operator == GreaterThan {
			return n > limit, nil
		}
		return n >= limit, nil
	case Includes:
		return strings.Contains(v, c.Value), nil
	case EndsWith:
		return strings.HasSuffix(v, c.Value), nil
	}
	return false, fmt.Errorf("unknown operator %q", string(c.Operator))
}

// parseBool reads "true" and "false" in any case, as directories and Entra
// write booleans ("TRUE", "True", "true").
func parseBool(s string) (b bool, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

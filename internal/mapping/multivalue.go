package mapping

import (
	"errors"
	"fmt"
	"strings"
)

// MultiValue says what a mapping does with a source that has several
// values, such as memberOf, when its target field holds one value.
type MultiValue string

// The multiValue settings.
const (
	// MultiValueFirst keeps the first value the directory returns. It is
	// what an unset multiValue does for an attribute source, which also
	// warns on the user that values were dropped.
	MultiValueFirst MultiValue = "first"
	// MultiValueJoin keeps every value, joined with the mapping's
	// separator (DefaultSeparator when it has none). A value that contains
	// the separator fails the user: joined, it could not be told apart from
	// two values.
	MultiValueJoin MultiValue = "join"
	// MultiValueError fails the user, naming the field and the values.
	MultiValueError MultiValue = "error"
)

// DefaultSeparator joins the values of a multiValue "join" mapping that
// names no separator.
const DefaultSeparator = "; "

// Causes of a refused multi-valued source, for errors.Is. Both fail the
// user whatever the mapping's strictness.
var (
	// ErrMultipleValues: the source has several values and multiValue is
	// "error".
	ErrMultipleValues = fmt.Errorf("multiValue %q refuses several values", MultiValueError)
	// ErrSeparatorInValue: a value to join contains the separator.
	ErrSeparatorInValue = errors.New("joined, it could not be told apart from two values")
)

func (mv MultiValue) valid() bool {
	switch mv {
	case "", MultiValueFirst, MultiValueJoin, MultiValueError:
		return true
	}
	return false
}

// validateMultiValue reports a bad multiValue or separator of one mapping.
func validateMultiValue(m Mapping, at func(string) string, add func(field, format string, args ...any)) {
	if !m.MultiValue.valid() {
		add(at("multiValue"), "must be first, join or error, got %q", m.MultiValue)
		return
	}
	if m.Separator != "" && m.MultiValue != MultiValueJoin {
		add(at("separator"), "only applies with multiValue %q", MultiValueJoin)
	}
}

// pick turns the values of one source, named from for messages, into the
// field's value under the rule's multiValue setting. It returns a warning
// when an unset setting dropped values.
func (ru *rule) pick(vals []string, from string) (v, warning string, err error) {
	switch len(vals) {
	case 0:
		return "", "", nil
	case 1:
		return vals[0], "", nil
	}
	switch ru.MultiValue {
	case MultiValueFirst:
		return vals[0], "", nil
	case MultiValueJoin:
		sep := ru.Separator
		if sep == "" {
			sep = DefaultSeparator
		}
		for _, s := range vals {
			if strings.Contains(s, sep) {
				return "", "", fmt.Errorf("%s value %q contains the separator %q: %w",
					from, s, sep, ErrSeparatorInValue)
			}
		}
		return strings.Join(vals, sep), "", nil
	case MultiValueError:
		return "", "", fmt.Errorf("%s has %d values (%s): %w", from, len(vals), quoteList(vals), ErrMultipleValues)
	}
	return vals[0], fmt.Sprintf("%s has %d values; kept the first, %q (set multiValue to %q to keep them all, or %q to refuse)",
		from, len(vals), vals[0], MultiValueJoin, MultiValueError), nil
}

// quoteList quotes at most five values for a message.
func quoteList(vals []string) string {
	const most = 5
	q := make([]string, 0, most+1)
	for i, v := range vals {
		if i == most {
			q = append(q, fmt.Sprintf("and %d more", len(vals)-most))
			break
		}
		q = append(q, fmt.Sprintf("%q", v))
	}
	return strings.Join(q, ", ")
}

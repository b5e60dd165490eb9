package expr

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits and markers of the custom-field encoding: an Entra
// expression such as
//
//	Join("$$$", "ImagicleCustomFields", Append("Custom1=", [city]), Append("Custom2=", [jobTitle]))
//
// flows into one attribute as
// "ImagicleCustomFields$$$Custom1=$$$Custom2=R&D Manager".
const (
	// CustomFieldsMarker optionally starts the encoded form.
	CustomFieldsMarker = "ImagicleCustomFields"
	// CustomFieldSeparator separates the fields; values cannot contain it.
	CustomFieldSeparator = "$$$"
	// MaxCustomFields is the number of custom fields, Custom1 to Custom10.
	MaxCustomFields = 10
	// MaxCustomFieldLength is the longest value, in characters.
	MaxCustomFieldLength = 256
)

// CustomFields maps canonical field names ("Custom1" to "Custom10") to
// values. A field mapped to the empty string is present and empty: the
// source sent "Custom1=". Whether that clears a previously synced value is
// the caller's decision; a field that is absent was not sent at all.
type CustomFields map[string]string

// CustomFieldError reports one problem in an encoded custom-field value.
type CustomFieldError struct {
	// Field is the canonical field name, or the name as written when it is
	// not a known field, or "" when the problem is not tied to one field.
	Field string
	// Part is the 1-based position of the part between separators, or 0
	// when the error is about a single field rather than an encoded value.
	Part int
	// Err is the cause.
	Err error
}

// Error returns a message naming the field and the cause.
func (e *CustomFieldError) Error() string {
	if e.Field == "" && e.Part == 0 {
		return fmt.Sprintf("customfields: %v", e.Err)
	}
	if e.Field == "" {
		return fmt.Sprintf("customfields: part %d: %v", e.Part, e.Err)
	}
	if e.Part == 0 {
		return fmt.Sprintf("customfields: %s: %v", e.Field, e.Err)
	}
	return fmt.Sprintf("customfields: %s (part %d): %v", e.Field, e.Part, e.Err)
}

// Unwrap returns the cause.
func (e *CustomFieldError) Unwrap() error { return e.Err }

// Causes of custom-field errors, for errors.Is.
var (
	ErrUnknownCustomField   = errors.New("unknown custom field; expected Custom1 to Custom10")
	ErrDuplicateCustomField = errors.New("custom field given more than once")
	ErrCustomFieldTooLong   = fmt.Errorf("value longer than %d characters", MaxCustomFieldLength)
	ErrCustomFieldSyntax    = errors.New(`expected Name=value`)
	ErrTooManyCustomFields  = fmt.Errorf("more than %d custom fields", MaxCustomFields)
	// ErrSeparatorInValue means a value joined into the custom-field form
	// contains the separator, so that it would read back as further fields.
	ErrSeparatorInValue = fmt.Errorf("value contains the separator %q", CustomFieldSeparator)
	// ErrValueEndsInSeparator means a value joined into the custom-field
	// form, not the last, ends in "$" or "$$": joined, its end and the
	// separator read as the separator and a "$" starting the next field.
	ErrValueEndsInSeparator = fmt.Errorf("value ends in part of the separator %q", CustomFieldSeparator)
)

// EvalCustomFields evaluates an expression that builds the "$$$"-joined
// custom-field form. Every part a Join on the separator joins is checked
// before it is joined: a part that contains the separator itself, such as
// a title "evil$$$Custom9=injected", fails with a *CustomFieldError naming
// the custom field and the attributes the part was built from, wrapping
// ErrSeparatorInValue; so does a part ending in "$" that would run into the
// next separator, wrapping ErrValueEndsInSeparator. Joined, such a value
// would read back as fields the source never set.
func (e *Expr) EvalCustomFields(attrs Attributes) (Value, error) {
	ev := &evaluator{attrs: attrs, guard: CustomFieldSeparator}
	return ev.eval(e.root)
}

// checkParts returns an error when the parts joined by sep would not split
// back into the same parts: a part contains sep, or ends in a prefix of it
// ("a$" joined by "$$$" reads as "a" and "$..."). from[i] is the Join
// argument part i came from.
func checkParts(parts []string, from []node, joined, sep string) error {
	split := strings.Split(joined, sep)
	for i, p := range parts {
		switch {
		case strings.Contains(p, sep):
			return partError(p, from[i], fmt.Errorf("%w%s", ErrSeparatorInValue, attrsOf(from[i])))
		case i < len(split) && split[i] != p:
			return partError(p, from[i], fmt.Errorf("%w (%q)%s", ErrValueEndsInSeparator, p[len(split[i]):], attrsOf(from[i])))
		}
	}
	return nil
}

// partError names the custom field of a part "CustomN=value", when it is one.
func partError(part string, n node, err error) error {
	field := ""
	if name, _, ok := strings.Cut(part, "="); ok {
		field, _ = CanonicalCustomField(strings.TrimSpace(name))
	}
	return &CustomFieldError{Field: field, Err: err}
}

// attrsOf is " (from [a], [b])" for the attributes n reads, or "".
func attrsOf(n node) string {
	refs := collectRefs(n)
	if len(refs) == 0 {
		return ""
	}
	return " (from [" + strings.Join(refs, "], [") + "])"
}

// CanonicalCustomField returns the canonical spelling of a custom field name
// written in any case, such as "custom3" or "CUSTOM3", and whether it names
// one of Custom1 to Custom10.
func CanonicalCustomField(name string) (string, bool) {
	const prefix = "custom"
	if len(name) <= len(prefix) || !strings.EqualFold(name[:len(prefix)], prefix) {
		return "", false
	}
	digits := name[len(prefix):]
	n, err := strconv.Atoi(digits)
	if err != nil || n < 1 || n > MaxCustomFields || strconv.Itoa(n) != digits {
		return "", false
	}
	return "Custom" + digits, true
}

// ParseCustomFields decodes the "$$$"-joined form. The leading
// CustomFieldsMarker is optional; an empty string has no fields. Every
// problem is reported, each as a *CustomFieldError, joined with
// errors.Join; the fields that were valid are returned alongside.
func ParseCustomFields(s string) (CustomFields, error) {
	fields := CustomFields{}
	if s == "" {
		return fields, nil
	}
	parts := strings.Split(s, CustomFieldSeparator)
	first := 0
	if strings.EqualFold(parts[0], CustomFieldsMarker) {
		first = 1
	}
	var errs []error
	prev := ""
	for i := first; i < len(parts); i++ {
		part := parts[i]
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			err := fmt.Errorf("%w, found %q", ErrCustomFieldSyntax, part)
			if prev != "" {
				err = fmt.Errorf("%w, found %q (a value cannot contain %q; is it part of %s?)",
					ErrCustomFieldSyntax, part, CustomFieldSeparator, prev)
			}
			errs = append(errs, &CustomFieldError{Part: i + 1, Err: err})
			continue
		}
		canon, known := CanonicalCustomField(strings.TrimSpace(name))
		if !known {
			errs = append(errs, &CustomFieldError{Field: name, Part: i + 1, Err: ErrUnknownCustomField})
			continue
		}
		prev = canon
		if _, dup := fields[canon]; dup {
			errs = append(errs, &CustomFieldError{Field: canon, Part: i + 1, Err: ErrDuplicateCustomField})
			continue
		}
		if n := utf8.RuneCountInString(value); n > MaxCustomFieldLength {
			errs = append(errs, &CustomFieldError{Field: canon, Part: i + 1,
				Err: fmt.Errorf("%w (%d characters)", ErrCustomFieldTooLong, n)})
			continue
		}
		fields[canon] = value
	}
	if n := len(parts) - first; n > MaxCustomFields {
		errs = append(errs, &CustomFieldError{Part: first + MaxCustomFields + 1,
			Err: fmt.Errorf("%w (found %d parts)", ErrTooManyCustomFields, n)})
	}
	return fields, errors.Join(errs...)
}

// ValidateCustomField checks one field before it is stored or encoded:
// a known name, at most MaxCustomFieldLength characters and no separator.
func ValidateCustomField(name, value string) error {
	canon, ok := CanonicalCustomField(name)
	if !ok {
		return &CustomFieldError{Field: name, Err: ErrUnknownCustomField}
	}
	if strings.Contains(value, CustomFieldSeparator) {
		return &CustomFieldError{Field: canon, Err: ErrSeparatorInValue}
	}
	if n := utf8.RuneCountInString(value); n > MaxCustomFieldLength {
		return &CustomFieldError{Field: canon, Err: fmt.Errorf("%w (%d characters)", ErrCustomFieldTooLong, n)}
	}
	return nil
}

// String encodes the fields with the marker, in field-number order, so that
// ParseCustomFields(f.String()) returns f.
func (f CustomFields) String() string {
	names := make([]string, 0, len(f))
	for name := range f {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool {
		a, _ := strconv.Atoi(strings.TrimPrefix(names[i], "Custom"))
		b, _ := strconv.Atoi(strings.TrimPrefix(names[j], "Custom"))
		if a != b {
			return a < b
		}
		return names[i] < names[j]
	})
	parts := []string{CustomFieldsMarker}
	for _, name := range names {
		parts = append(parts, name+"="+f[name])
	}
	return strings.Join(parts, CustomFieldSeparator)
}

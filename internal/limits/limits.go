// Package limits holds the bounds usersync puts on what it accepts and
// stores: names, searches and field values. A value past a bound is refused
// with an error naming the field and the cause, never truncated.
package limits

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// The bounds.
const (
	// MaxName is the longest name of an entity, a token or any other
	// thing an administrator names, in bytes.
	MaxName = 256
	// MaxSearch is the longest search text, in bytes: longer searches
	// match nothing a person types and make the database work for nothing.
	MaxSearch = 1024
	// MaxFieldValue is the longest value of one mapped field, in bytes.
	MaxFieldValue = 64 << 10
)

// ErrTooLong and ErrBadText are matched by the errors of this package.
var (
	ErrTooLong = errors.New("too long")
	ErrBadText = errors.New("not plain text")
)

// Name checks a name: valid UTF-8, at most MaxName bytes, and free of
// control characters and of the bidirectional formatting characters that
// make a name display as another (such as U+202E RIGHT-TO-LEFT OVERRIDE).
func Name(s string) error {
	if len(s) > MaxName {
		return fmt.Errorf("%w: %d bytes, at most %d", ErrTooLong, len(s), MaxName)
	}
	return PlainText(s)
}

// PlainText checks that s is valid UTF-8 without control or bidirectional
// formatting characters.
func PlainText(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: invalid UTF-8", ErrBadText)
	}
	for i, r := range s {
		if unicode.IsControl(r) {
			return fmt.Errorf("%w: control character %U at byte %d", ErrBadText, r, i)
		}
		if isBidi(r) {
			return fmt.Errorf("%w: bidirectional formatting character %U at byte %d", ErrBadText, r, i)
		}
	}
	return nil
}

// Search checks the length of a search text.
func Search(s string) error {
	if len(s) > MaxSearch {
		return fmt.Errorf("%w: %d bytes, at most %d", ErrTooLong, len(s), MaxSearch)
	}
	return nil
}

// FieldValue checks the length of one field value.
func FieldValue(s string) error {
	if len(s) > MaxFieldValue {
		return fmt.Errorf("%w: %d bytes, at most %d", ErrTooLong, len(s), MaxFieldValue)
	}
	return nil
}

// isBidi reports the bidirectional formatting characters: the embeddings,
// overrides and isolates, and the implicit marks.
func isBidi(r rune) bool {
	switch {
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x200E, r == 0x200F, r == 0x061C:
		return true
	}
	return false
}

package upn

import (
	"errors"
	"strings"
)

// ErrInvalidConfig is matched (with errors.Is) by every FieldErrors value, so
// callers can tell a bad configureTwo document from other failures.
var ErrInvalidConfig = errors.New("upn: invalid configureTwo document")

// FieldError is one problem in a configureTwo document.
type FieldError struct {
	// Field is the JSON path of the offending key, such as
	// "syncUpnToAdAttribute.onWriteFailure". It is empty for problems with
	// the document as a whole (for example, when it is not JSON).
	Field string
	// Message says what is wrong, in lower case, without the field name.
	Message string
}

// Error returns "field: message".
func (e FieldError) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// FieldErrors lists every problem found in a configureTwo document, in
// document order. It is returned as an error; use errors.As to get at it.
type FieldErrors []FieldError

// Error joins all problems into one line prefixed with "upn: ".
func (e FieldErrors) Error() string {
	msgs := make([]string, len(e))
	for i, fe := range e {
		msgs[i] = fe.Error()
	}
	return "upn: invalid configureTwo document: " + strings.Join(msgs, "; ")
}

// Is reports whether target is ErrInvalidConfig.
func (e FieldErrors) Is(target error) bool { return target == ErrInvalidConfig }

// Fields returns the JSON paths of all problems, in order, which helps a UI
// mark the offending inputs.
func (e FieldErrors) Fields() []string {
	out := make([]string, len(e))
	for i, fe := range e {
		out[i] = fe.Field
	}
	return out
}

// add appends one problem.
func (e *FieldErrors) add(field, msg string) {
	*e = append(*e, FieldError{Field: field, Message: msg})
}

// err returns e as an error, or nil when there is no problem.
func (e FieldErrors) err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}

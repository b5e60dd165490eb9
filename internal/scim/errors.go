// Package scim is the SCIM 2.0 protocol (RFC 7643, RFC 7644) as a service
// provider speaks it: resources and their schemas, filters, PATCH, errors
// and the HTTP handler. What the resources do to usersync's users is the
// Backend's business (package app).
package scim

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// SCIM URNs of messages and schemas.
const (
	ErrorURN        = "urn:ietf:params:scim:api:messages:2.0:Error"
	ListResponseURN = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	PatchOpURN      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	UserURN         = "urn:ietf:params:scim:schemas:core:2.0:User"
	GroupURN        = "urn:ietf:params:scim:schemas:core:2.0:Group"
	EnterpriseURN   = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
)

// scimType values of RFC 7644, section 3.12.
const (
	TypeInvalidFilter = "invalidFilter"
	TypeTooMany       = "tooMany"
	TypeUniqueness    = "uniqueness"
	TypeMutability    = "mutability"
	TypeInvalidSyntax = "invalidSyntax"
	TypeInvalidPath   = "invalidPath"
	TypeNoTarget      = "noTarget"
	TypeInvalidValue  = "invalidValue"
)

// Error is a SCIM error: an HTTP status, RFC 7644's scimType when one
// applies, and a sentence for the caller. RetryAfter, when set, is sent as
// the Retry-After header (429 and 503).
type Error struct {
	Status     int
	Type       string
	Detail     string
	RetryAfter time.Duration
	// Err is the cause, for errors.Is and the logs.
	Err error
}

func (e *Error) Error() string {
	if e.Type != "" {
		return fmt.Sprintf("scim: %d %s: %s", e.Status, e.Type, e.Detail)
	}
	return fmt.Sprintf("scim: %d: %s", e.Status, e.Detail)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns a SCIM error with a status and scimType.
func Errorf(status int, scimType, format string, args ...any) *Error {
	return &Error{Status: status, Type: scimType, Detail: fmt.Sprintf(format, args...)}
}

// BadRequest is a 400 with a scimType.
func BadRequest(scimType, format string, args ...any) *Error {
	return Errorf(http.StatusBadRequest, scimType, format, args...)
}

// Sentinel causes a Backend may wrap, so that the handler answers them
// with the right status (see statusOf).
var (
	ErrUnauthorized = errors.New("unauthorized")
	ErrNotFound     = errors.New("resource not found")
	ErrUniqueness   = errors.New("uniqueness")
)

// asError is the one place that turns an error into a SCIM error with its
// status: a *Error as it is, the sentinels by their meaning, anything
// else as a 500 whose detail does not leak internals.
func asError(err error) *Error {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(err, ErrUnauthorized):
		return &Error{Status: http.StatusUnauthorized, Detail: "a valid bearer token for this SCIM connection is required", Err: err}
	case errors.Is(err, ErrNotFound):
		return &Error{Status: http.StatusNotFound, Detail: err.Error(), Err: err}
	case errors.Is(err, ErrUniqueness):
		return &Error{Status: http.StatusConflict, Type: TypeUniqueness, Detail: err.Error(), Err: err}
	}
	return &Error{Status: http.StatusInternalServerError, Detail: "the request failed inside usersync; its log has the cause", Err: err}
}

// writeError writes e in the SCIM error schema (status as a string).
func writeError(w http.ResponseWriter, e *Error) {
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((e.RetryAfter+time.Second-1)/time.Second)))
	}
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="usersync SCIM"`)
	}
	body := map[string]any{"schemas": []string{ErrorURN}, "status": strconv.Itoa(e.Status), "detail": e.Detail}
	if e.Type != "" {
		body["scimType"] = e.Type
	}
	writeJSON(w, e.Status, body)
}

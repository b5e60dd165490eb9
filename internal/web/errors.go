package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/store"
)

// apiError is the body of every API error response.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// httpError is an error that already knows its status and code, for the
// failures the web layer itself detects (bad JSON, missing session, ...).
type httpError struct {
	status int
	code   string
	field  string
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(field, msg string) error {
	return &httpError{status: http.StatusBadRequest, code: "invalid", field: field, msg: msg}
}

// classify is the one place that maps an error to an HTTP status, a stable
// code and the field at fault. Pages use it too, to put a message next to
// the right control.
func classify(err error) (status int, e apiError) {
	var he *httpError
	var ve *connection.ValidationError
	var lp *directory.Problem
	var held *store.HeldError
	var afe *app.FieldError
	switch {
	case errors.As(err, &he):
		return he.status, apiError{Code: he.code, Message: he.msg, Field: he.field}
	case errors.As(err, &ve) && len(ve.Problems) > 0:
		p := ve.Problems[0]
		return http.StatusBadRequest, apiError{Code: "invalid", Message: err.Error(), Field: p.Field}
	case errors.As(err, &afe):
		if errors.Is(err, store.ErrConflict) {
			return http.StatusConflict, apiError{Code: "conflict", Message: afe.Msg, Field: afe.Field}
		}
		return http.StatusBadRequest, apiError{Code: "invalid", Message: afe.Msg, Field: afe.Field}
	case errors.Is(err, app.ErrUsage):
		return http.StatusBadRequest, apiError{Code: "invalid", Message: err.Error()}
	case errors.Is(err, store.ErrEventsPruned):
		// The client's position is older than the retention: it must
		// start again from the users, and asking again will not help.
		return http.StatusGone, apiError{Code: "events_pruned", Message: storeMessage(err, store.ErrEventsPruned), Field: "after"}
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, apiError{Code: "not_found", Message: storeMessage(err, store.ErrNotFound)}
	case errors.As(err, &held):
		return http.StatusConflict, apiError{Code: "conflict", Message: held.Error(), Field: "userId"}
	case errors.Is(err, store.ErrLeaseHeld):
		// Another process runs the connection: the message names it.
		return http.StatusConflict, apiError{Code: "conflict", Message: err.Error()}
	case errors.Is(err, store.ErrConflict):
		return http.StatusConflict, apiError{Code: "conflict", Message: storeMessage(err, store.ErrConflict)}
	case errors.As(err, &lp):
		return http.StatusBadGateway, apiError{Code: "directory_" + string(lp.Kind), Message: lp.Error(), Field: lp.Field}
	default:
		return http.StatusInternalServerError, apiError{Code: "internal", Message: "internal error; see the server log"}
	}
}

// writeError sends err as a JSON API error and logs server-side failures.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, body := classify(err)
	if status >= 500 && status != http.StatusBadGateway {
		s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, status, body)
}

// writeJSON sends v as JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// readJSON decodes a request body strictly (unknown fields are refused).
func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("", "request body: "+err.Error())
	}
	return nil
}

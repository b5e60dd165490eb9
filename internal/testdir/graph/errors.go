package graph

import (
	"encoding/json"
	"net/http"
	"time"
)

// graphError is Graph's error body (errors.md: a single JSON object
// "error" with code, message and innerError carrying the request id and
// date, which support uses to trace the request).
type graphError struct {
	Error graphErrorBody `json:"error"`
}

type graphErrorBody struct {
	Code       string         `json:"code"`
	Message    string         `json:"message"`
	InnerError map[string]any `json:"innerError"`
}

func writeGraphError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	writeGraphErrorInner(w, r, status, code, msg, nil)
}

// writeGraphErrorInner writes an error whose innerError carries more than
// the request id and date.
func writeGraphErrorInner(w http.ResponseWriter, r *http.Request, status int, code, msg string, extra map[string]any) {
	id := newID()
	inner := map[string]any{
		"date":       time.Now().UTC().Format("2006-01-02T15:04:05"),
		"request-id": id,
	}
	for k, v := range extra {
		inner[k] = v
	}
	if c := r.Header.Get("client-request-id"); c != "" {
		inner["client-request-id"] = c
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("request-id", id)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(graphError{Error: graphErrorBody{Code: code, Message: msg, InnerError: inner}})
}

// badQuery answers 400 for a query Graph does not support on this
// resource; directory resources answer Request_UnsupportedQuery.
func badQuery(w http.ResponseWriter, r *http.Request, msg string) {
	writeGraphError(w, r, http.StatusBadRequest, "Request_UnsupportedQuery", msg)
}

func notFound(w http.ResponseWriter, r *http.Request, id string) {
	writeGraphError(w, r, http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+id+"' does not exist or one of its queried reference-property objects are not present.")
}

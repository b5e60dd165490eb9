package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// maxSCIMRequests is the most log entries one page or API call returns.
const maxSCIMRequests = 500

// scimRequestRoutes serve the SCIM request log of a connection: what a
// provisioning client such as Entra ID sent, and what usersync answered.
func (s *Server) scimRequestRoutes() []route {
	return []route{
		{"GET", "/connections/{name}/scim/requests", page, s.scimRequestsPage},
		{"GET", "/connections/{name}/scim/requests/{requestId}", page, s.scimRequestPage},
		{"GET", "/api/v1/connections/{name}/scim/requests", api, s.apiListSCIMRequests},
		{"GET", "/api/v1/connections/{name}/scim/requests/{requestId}", api, s.apiGetSCIMRequest},
	}
}

// scimRequestJSON is one log entry as the API returns it. The body is the
// request body with secrets already redacted when it was logged.
type scimRequestJSON struct {
	ID         int64     `json:"id"`
	RequestID  string    `json:"requestId"`
	At         time.Time `json:"at"`
	Method     string    `json:"method"`
	Path       string    `json:"path"`
	Status     int       `json:"status"`
	DurationMS float64   `json:"durationMs"`
	ResourceID string    `json:"resourceId,omitempty"`
	UserName   string    `json:"userName,omitempty"`
	Body       string    `json:"body,omitempty"`
}

// scimRequestsQuery reads the user, before and limit parameters, and checks
// that the connection exists, so that a mistyped name is a 404 and not an
// empty log.
func (s *Server) scimRequestsQuery(ctx context.Context, r *http.Request) (store.SCIMRequestQuery, error) {
	q := store.SCIMRequestQuery{Connection: r.PathValue("name"), User: r.URL.Query().Get("user"), Limit: 100}
	if v := r.URL.Query().Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return q, badRequest("before", "before must be the id of a log entry (a positive whole number), got "+strconv.Quote(v))
		}
		q.BeforeID = n
	}
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxSCIMRequests {
			return q, badRequest("limit", "limit must be a whole number from 1 to "+strconv.Itoa(maxSCIMRequests)+", got "+strconv.Quote(v))
		}
		q.Limit = n
	}
	if _, _, err := s.st.GetConnection(ctx, q.Connection); err != nil {
		return q, err
	}
	return q, nil
}

func toSCIMRequestJSON(e store.SCIMRequest) scimRequestJSON {
	return scimRequestJSON{ID: e.ID, RequestID: e.RequestID, At: e.At, Method: e.Method, Path: e.Path,
		Status: e.Status, DurationMS: float64(e.Duration.Microseconds()) / 1000, ResourceID: e.ResourceID, UserName: e.UserName, Body: e.Body}
}

// scimRequest returns the entry a run outcome names ("SCIM request ID"),
// of the connection in the path only, so that a request id never shows
// another connection's traffic.
func (s *Server) scimRequest(r *http.Request) (store.SCIMRequest, error) {
	e, err := s.st.SCIMRequestByID(r.Context(), r.PathValue("requestId"))
	if err == nil && e.Connection != r.PathValue("name") {
		err = fmt.Errorf("scim request %q of connection %q: %w", r.PathValue("requestId"), r.PathValue("name"), store.ErrNotFound)
	}
	return e, err
}

func (s *Server) apiGetSCIMRequest(w http.ResponseWriter, r *http.Request) error {
	e, err := s.scimRequest(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toSCIMRequestJSON(e))
	return nil
}

func (s *Server) scimRequestPage(w http.ResponseWriter, r *http.Request) error {
	e, err := s.scimRequest(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "connection_scim_requests", "SCIM request "+e.RequestID,
		map[string]any{"Connection": e.Connection, "Requests": []store.SCIMRequest{e}, "One": true, "User": "", "NextBefore": int64(0)})
	return nil
}

func (s *Server) apiListSCIMRequests(w http.ResponseWriter, r *http.Request) error {
	q, err := s.scimRequestsQuery(r.Context(), r)
	if err != nil {
		return err
	}
	list, err := s.st.ListSCIMRequests(r.Context(), q)
	if err != nil {
		return err
	}
	out := struct {
		Requests []scimRequestJSON `json:"requests"`
		// NextBefore is the before parameter of the next, older page, or
		// 0 when this page is the last.
		NextBefore int64 `json:"nextBefore"`
	}{Requests: []scimRequestJSON{}}
	for _, e := range list {
		out.Requests = append(out.Requests, toSCIMRequestJSON(e))
	}
	if len(list) == q.Limit {
		out.NextBefore = list[len(list)-1].ID
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) scimRequestsPage(w http.ResponseWriter, r *http.Request) error {
	q, err := s.scimRequestsQuery(r.Context(), r)
	if err != nil {
		return err
	}
	list, err := s.st.ListSCIMRequests(r.Context(), q)
	if err != nil {
		return err
	}
	var next int64
	if len(list) == q.Limit {
		next = list[len(list)-1].ID
	}
	s.render(w, r, http.StatusOK, "connection_scim_requests", "SCIM requests of "+q.Connection,
		map[string]any{"Connection": q.Connection, "User": q.User, "Requests": list, "NextBefore": next})
	return nil
}

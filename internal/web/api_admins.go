package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
)

// adminView is an administrator as the API and the UI show it: never the
// password hash.
type adminView struct {
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"createdAt"`
}

func viewAdmin(a store.Admin) adminView {
	return adminView{Name: a.Name, Role: a.Role, Disabled: a.Disabled, CreatedAt: a.CreatedAt}
}

// adminRoutes are the administrators' and the audit log's routes.
func (s *Server) adminRoutes() []route {
	return []route{
		{"GET", "/admins", page, s.adminsPage},
		{"POST", "/admins", page, s.createAdminSubmit},
		{"POST", "/admins/{name}", page, s.updateAdminSubmit},
		{"GET", "/audit", page, s.auditPage},
		{"GET", "/api/v1/admins", api, s.apiListAdmins},
		{"POST", "/api/v1/admins", api, s.apiCreateAdmin},
		{"PUT", "/api/v1/admins/{name}", api, s.apiUpdateAdmin},
		{"GET", "/api/v1/audit", api, s.apiAudit},
		{"GET", "/api/v1/runs/{id}/outcomes.csv", api, s.apiRunCSV},
		{"POST", "/schedules/{name}/edit", page, s.scheduleEditSubmit},
		{"GET", "/connections/{name}/groups", page, s.groupRulesPage},
		{"POST", "/connections/{name}/groups", page, s.groupRulesSubmit},
	}
}

func (s *Server) apiListAdmins(w http.ResponseWriter, r *http.Request) error {
	list, err := s.app.ListAdmins(r.Context())
	if err != nil {
		return err
	}
	out := make([]adminView, len(list))
	for i, a := range list {
		out[i] = viewAdmin(a)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiCreateAdmin(w http.ResponseWriter, r *http.Request) error {
	var req app.NewAdmin
	if err := readJSON(r, &req); err != nil {
		return err
	}
	a, err := s.app.CreateAdmin(r.Context(), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewAdmin(a))
	return nil
}

// adminUpdate is the body of PUT /api/v1/admins/{name}.
type adminUpdate struct {
	Role     string `json:"role"`
	Disabled bool   `json:"disabled"`
}

func (s *Server) apiUpdateAdmin(w http.ResponseWriter, r *http.Request) error {
	var req adminUpdate
	if err := readJSON(r, &req); err != nil {
		return err
	}
	a, err := s.app.UpdateAdmin(r.Context(), r.PathValue("name"), req.Role, req.Disabled)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewAdmin(a))
	return nil
}

// auditQuery reads the audit log's filters from a query string: actor,
// action, object, since and until (RFC 3339 or a date), limit and offset.
// Every bad value is reported, naming its parameter.
func auditQuery(r *http.Request) (store.AuditFilter, error) {
	q := r.URL.Query()
	f := store.AuditFilter{Actor: q.Get("actor"), Action: q.Get("action"), Object: q.Get("object"), Limit: 50}
	var err error
	if f.Since, err = auditTime(q.Get("since"), false); err != nil {
		return f, badRequest("since", "since: "+err.Error())
	}
	if f.Until, err = auditTime(q.Get("until"), true); err != nil {
		return f, badRequest("until", "until: "+err.Error())
	}
	for _, p := range []struct {
		name string
		dst  *int
		max  int
	}{{"limit", &f.Limit, 1000}, {"offset", &f.Offset, 1 << 30}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > p.max {
				return f, badRequest(p.name, p.name+" must be a number from 0 to "+strconv.Itoa(p.max))
			}
			*p.dst = n
		}
	}
	return f, nil
}

// auditTime parses an RFC 3339 time or a date (YYYY-MM-DD, UTC); a date as
// the end of a range includes that whole day.
func auditTime(v string, end bool) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, errBadAuditTime
	}
	if end {
		d = d.AddDate(0, 0, 1)
	}
	return d, nil
}

var errBadAuditTime = &httpError{status: http.StatusBadRequest, code: "invalid", msg: "give a time as 2026-03-01T09:00:00Z or a date as 2026-03-01"}

// auditPage is one page of audit events with the total.
type auditPage struct {
	Events []store.AuditEvent `json:"events"`
	Total  int                `json:"total"`
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) error {
	f, err := auditQuery(r)
	if err != nil {
		return err
	}
	list, total, err := s.app.AuditLog(r.Context(), f)
	if err != nil {
		return err
	}
	if list == nil {
		list = []store.AuditEvent{}
	}
	writeJSON(w, http.StatusOK, auditPage{list, total})
	return nil
}

package web

import (
	"fmt"
	"net/http"

	"github.com/usersync/usersync/internal/store"
)

// operatorRoutes are the changing routes, of the UI and of the API, that an
// administrator with the operator role may call: starting, previewing,
// deciding on and cancelling runs, checking a connection and testing a
// mapping (which change nothing stored), adding one directory user (a run
// of one entry), pausing, resuming, restarting and running a schedule, and
// their own password and session. Every other changing route is for the
// admin role only, so that a route added later is refused to operators
// until someone decides otherwise here.
var operatorRoutes = map[string]bool{
	"POST /logout":                                  true,
	"POST /account/password":                        true,
	"POST /api/v1/account/password":                 true,
	"POST /connections/{name}/check":                true,
	"POST /api/v1/connections/{name}/check":         true,
	"POST /connections/{name}/preview":              true,
	"POST /api/v1/connections/{name}/preview":       true,
	"POST /api/v1/connections/{name}/mappings/test": true,
	"POST /runs":                                          true,
	"POST /api/v1/runs":                                   true,
	"POST /runs/{id}/approve":                             true,
	"POST /api/v1/runs/{id}/approve":                      true,
	"POST /runs/{id}/reject":                              true,
	"POST /api/v1/runs/{id}/reject":                       true,
	"POST /runs/{id}/cancel":                              true,
	"POST /api/v1/runs/{id}/cancel":                       true,
	"POST /users/add":                                     true,
	"POST /api/v1/connections/{name}/directory-users/add": true,
	"POST /schedules/{name}":                              true,
	"POST /api/v1/connections/{name}/schedule/pause":      true,
	"POST /api/v1/connections/{name}/schedule/resume":     true,
	"POST /api/v1/connections/{name}/schedule/restart":    true,
	"POST /api/v1/connections/{name}/schedule/run":        true,
}

// roleAllows is the rule for what an administrator's role allows: an admin
// may do everything, an operator may read and call operatorRoutes. An API
// token carries the role of the administrator who created it.
func roleAllows(p principal, rt route) error {
	if p.role != store.RoleOperator || safeMethod(rt.method) || operatorRoutes[rt.method+" "+rt.path] {
		return nil
	}
	who := "your role is operator"
	if p.session == nil {
		who = "this token was created by an administrator whose role is operator"
	}
	return fmt.Errorf("%s: it may look, run, approve, reject, pause and resume, but not change connections, mappings, schedules, tokens, users, certificate mappings or administrators (%s %s); ask an administrator with the admin role",
		who, rt.method, rt.path)
}

// permits is the one place that decides whether a principal may call a
// route, for the UI and the API alike: its role, and for a token its scope.
func permits(p principal, rt route) error {
	if err := roleAllows(p, rt); err != nil {
		return err
	}
	return scopeAllows(p, rt)
}

// refuse answers a request its principal may not make: a JSON error on the
// API, the error page in the UI; 403 either way, with the reason.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, rt route, err error) {
	if rt.access == api {
		tokenRefused(w, err)
		return
	}
	s.render(w, r, http.StatusForbidden, "error", "Not allowed", apiError{Code: "forbidden", Message: err.Error()})
}

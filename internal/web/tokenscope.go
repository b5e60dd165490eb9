package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// DefaultTokenTTL is how long an API token works when its creator does not
// say; MaxTokenTTL is the longest a token may be given.
const (
	DefaultTokenTTL = 90 * 24 * time.Hour
	MaxTokenTTL     = 366 * 24 * time.Hour
)

// runRoutes are the routes a token with the run scope may call besides
// reading: starting a run (a preview is a dry run, and the scheduler's run
// now starts one) and deciding on or cancelling one. Pausing, resuming and
// restarting a schedule change the configuration: admin only.
var runRoutes = map[string]bool{
	"POST /api/v1/runs":                       true,
	"POST /api/v1/runs/{id}/approve":          true,
	"POST /api/v1/runs/{id}/reject":           true,
	"POST /api/v1/runs/{id}/cancel":           true,
	"POST /api/v1/connections/{name}/preview": true,
	// Asking the scheduler to run a connection now starts a run too.
	"POST /api/v1/connections/{name}/schedule/run": true,
}

// scopeAllows is the one rule for what an API token may do: read tokens
// only read, run tokens also start, decide on and cancel runs, admin tokens
// do everything. A browser session is an administrator's and may do
// everything.
func scopeAllows(p principal, rt route) error {
	if p.session != nil {
		return nil
	}
	switch p.scope {
	case store.TokenScopeAdmin:
		return nil
	case store.TokenScopeRun:
		if safeMethod(rt.method) || runRoutes[rt.method+" "+rt.path] {
			return nil
		}
	case store.TokenScopeRead:
		if safeMethod(rt.method) {
			return nil
		}
	}
	return fmt.Errorf("this token's scope is %q, which does not allow %s %s; create a token with a wider scope (read, run or admin)",
		p.scope, rt.method, rt.path)
}

// validScope checks a requested token scope; empty means read, the least
// a token can do.
func validScope(scope string) (string, error) {
	switch scope {
	case "":
		return store.TokenScopeRead, nil
	case store.TokenScopeRead, store.TokenScopeRun, store.TokenScopeAdmin:
		return scope, nil
	}
	return "", badRequest("scope", fmt.Sprintf("scope must be %q, %q or %q, got %q", store.TokenScopeRead, store.TokenScopeRun, store.TokenScopeAdmin, scope))
}

// validTTL checks a requested token lifetime in days; 0 means the default.
func validTTL(days int) (time.Duration, error) {
	if days == 0 {
		return DefaultTokenTTL, nil
	}
	ttl := time.Duration(days) * 24 * time.Hour
	if days < 0 || ttl > MaxTokenTTL {
		return 0, badRequest("expiresInDays", fmt.Sprintf("expiresInDays (--expires-in-days) must be between 1 and %d days, got %d", int(MaxTokenTTL.Hours()/24), days))
	}
	return ttl, nil
}

// tokenRefused answers a request whose token may not make it.
func tokenRefused(w http.ResponseWriter, err error) {
	writeJSON(w, http.StatusForbidden, apiError{Code: "forbidden", Message: err.Error(), Field: "scope"})
}

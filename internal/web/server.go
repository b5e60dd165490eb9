// Package web is usersync's admin web UI (server-rendered html/template
// pages with embedded CSS and a little JavaScript) and its REST API under
// /api/v1, described by the OpenAPI document at /api/openapi.json. Every
// page and API call needs a session (or, for the API, a bearer token); every
// state-changing request from a browser carries a CSRF token.
package web

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configure a Server.
type Options struct {
	// Secure marks cookies Secure: set it when serving over TLS.
	Secure bool
	// SessionTTL is how long a login lasts (default 12 hours).
	SessionTTL time.Duration
	// Hosts are the DNS names the UI and API are reached by, besides the
	// loopback names and IP literals that are always accepted. A request
	// naming any other host is refused, so that a web page on another site
	// cannot reach the server by rebinding its own name to this address.
	Hosts []string
	// LoginLimit is how many failed logins one client may make for one user
	// name before it must wait, a minute and then twice as long after each
	// further failure (default 5).
	LoginLimit int
	// SCIMMiddleware, when set, wraps the SCIM endpoint's handler, such as
	// a request log; scim.RequestID reads the id it puts in the context.
	SCIMMiddleware func(http.Handler) http.Handler
}

// Server serves the UI and the API for one App.
type Server struct {
	app    *app.App
	st     store.Store
	log    *slog.Logger
	opts   Options
	mux    *http.ServeMux
	routes []route
	pages  *pages
	// bg bounds the runs the server starts: cancelled, they stop safely.
	bg     context.Context
	logins *loginGuard
	// kept holds flash messages and passwords kept for a form's retry.
	kept *keptValues
	// notFound answers a browser's GET of a path no route serves.
	notFound, notFoundAPI http.Handler
}

// access says who may call a route.
type access int

const (
	public access = iota // no session needed (login, static assets)
	page                 // a browser page: no session redirects to /login
	api                  // an API call: no session or token is 401
)

// route is one registered handler; the table is what tests walk to prove
// every route is guarded and documented.
type route struct {
	method, path string
	access       access
	handler      handlerFunc
}

// handlerFunc is a handler that returns its failure instead of writing it:
// errorHandler writes every error, in one place.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// errorHandler adapts a route's handler: an error it returns becomes a JSON
// API error on API routes and an error page on the others, with the status
// classify gives it. A handler that returns an error must not have written
// a response yet.
func (s *Server) errorHandler(rt route) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := rt.handler(w, r)
		switch {
		case err == nil:
		case rt.access == api:
			s.writeError(w, r, err)
		default:
			s.pageError(w, r, err)
		}
	}
}

// New builds a Server. ctx bounds the syncs the server starts in the
// background: cancelling it stops them.
func New(ctx context.Context, a *app.App, opts Options) (*Server, error) {
	st := a.Store
	if opts.SessionTTL == 0 {
		opts.SessionTTL = 12 * time.Hour
	}
	if opts.LoginLimit == 0 {
		opts.LoginLimit = 5
	}
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	s := &Server{app: a, st: st, log: a.Log, opts: opts, mux: http.NewServeMux(), pages: p,
		bg: ctx, logins: newLoginGuard(opts.LoginLimit), kept: newKeptValues()}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.routes = s.routeTable()
	for _, rt := range s.routes {
		s.mux.Handle(rt.method+" "+rt.path, s.guard(rt))
	}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, fmt.Errorf("web: static assets: %w", err)
	}
	s.mountSCIM()
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", cacheFor(time.Hour, noListing(http.FileServerFS(static)))))
	notFound := func(w http.ResponseWriter, r *http.Request) error {
		s.notFoundPage(w, r)
		return nil
	}
	s.notFound = s.guard(route{"GET", "", page, notFound})
	s.notFoundAPI = s.guard(route{"GET", "", api, notFound})
	return s, nil
}

// routeTable lists every route of the UI and the API.
func (s *Server) routeTable() []route {
	rs := []route{
		{"GET", "/login", public, s.loginPage},
		{"POST", "/login", public, s.loginSubmit},
		{"POST", "/logout", page, s.logout},
		{"GET", "/account", page, s.accountPage},
		{"POST", "/account/password", page, s.changePasswordSubmit},

		{"GET", "/{$}", page, s.dashboardPage},
		{"GET", "/connections", page, s.connectionsPage},
		{"GET", "/connections/new", page, s.newConnectionPage},
		{"POST", "/connections", page, s.createConnectionSubmit},
		{"GET", "/connections/{name}", page, s.editConnectionPage},
		{"POST", "/connections/{name}", page, s.updateConnectionSubmit},
		{"POST", "/connections/{name}/check", page, s.checkConnectionSubmit},
		{"POST", "/connections/{name}/delete", page, s.deleteConnectionSubmit},
		{"POST", "/connections/{name}/preview", page, s.previewConnectionSubmit},
		{"GET", "/runs", page, s.runsPage},
		{"POST", "/runs", page, s.startRunSubmit},
		{"GET", "/runs/{id}", page, s.runPage},
		{"POST", "/runs/{id}/approve", page, s.decideRunSubmit},
		{"POST", "/runs/{id}/reject", page, s.decideRunSubmit},
		{"POST", "/runs/{id}/cancel", page, s.cancelRunSubmit},
		{"GET", "/runs/{id}/undo", page, s.undoPreviewPage},
		{"POST", "/runs/{id}/undo", page, s.undoRunSubmit},
		{"GET", "/users", page, s.usersPage},
		{"GET", "/users/add", page, s.addUserForm},
		{"POST", "/users/add", page, s.addUserSubmit},
		{"GET", "/users/{id}", page, s.userPage},
		{"POST", "/users/{id}/memberships", page, s.membershipSubmit},
		{"GET", "/entities", page, s.entitiesPage},
		{"POST", "/entities", page, s.createEntitySubmit},
		{"POST", "/entities/delete", page, s.deleteEntitySubmit},
		{"GET", "/webhooks", page, s.webhooksPage},
		{"POST", "/webhooks", page, s.createWebhookSubmit},
		{"POST", "/webhooks/{id}/redeliver", page, s.redeliverWebhookSubmit},
		{"POST", "/webhooks/{id}/delete", page, s.deleteWebhookSubmit},

		{"GET", "/api/openapi.json", api, s.openAPI},
		{"GET", "/api/v1/connections", api, s.apiListConnections},
		{"GET", "/api/v1/connections/{name}", api, s.apiGetConnection},
		{"PUT", "/api/v1/connections/{name}", api, s.apiPutConnection},
		{"DELETE", "/api/v1/connections/{name}", api, s.apiDeleteConnection},
		{"POST", "/api/v1/connections/{name}/check", api, s.apiCheckConnection},
		{"GET", "/api/v1/connections/{name}/configure-two", api, s.apiGetConfigureTwo},
		{"PUT", "/api/v1/connections/{name}/configure-two", api, s.apiPutConfigureTwo},
		{"GET", "/api/v1/connections/{name}/mappings", api, s.apiGetMappings},
		{"PUT", "/api/v1/connections/{name}/mappings", api, s.apiPutMappings},
		{"POST", "/api/v1/connections/{name}/preview", api, s.apiPreview},
		{"POST", "/api/v1/connections/{name}/mappings/test", api, s.apiTestExpression},
		{"GET", "/api/v1/connections/{name}/directory-users", api, s.apiSearchDirectoryUsers},
		{"POST", "/api/v1/connections/{name}/directory-users/add", api, s.apiAddDirectoryUser},
		{"GET", "/api/v1/runs", api, s.apiListRuns},
		{"POST", "/api/v1/runs", api, s.apiStartRun},
		{"GET", "/api/v1/runs/{id}", api, s.apiGetRun},
		{"GET", "/api/v1/runs/{id}/progress", api, s.apiRunProgress},
		{"POST", "/api/v1/runs/{id}/approve", api, s.apiDecideRun},
		{"POST", "/api/v1/runs/{id}/reject", api, s.apiDecideRun},
		{"POST", "/api/v1/runs/{id}/cancel", api, s.apiCancelRun},
		{"POST", "/api/v1/runs/{id}/undo", api, s.apiUndoRun},
		{"GET", "/api/v1/users", api, s.apiListUsers},
		{"GET", "/api/v1/users/explain", api, s.apiExplainUser},
		{"GET", "/api/v1/users/{id}", api, s.apiGetUser},
		{"POST", "/api/v1/users/{id}/assign", api, s.apiAssign},
		{"POST", "/api/v1/users/{id}/unassign", api, s.apiUnassign},
		{"GET", "/api/v1/local-users", api, s.apiListLocalUsers},
		{"POST", "/api/v1/local-users", api, s.apiCreateLocalUser},
		{"GET", "/api/v1/local-users/{id}", api, s.apiGetLocalUser},
		{"PUT", "/api/v1/local-users/{id}", api, s.apiUpdateLocalUser},
		{"DELETE", "/api/v1/local-users/{id}", api, s.apiDeleteLocalUser},
		{"POST", "/api/v1/local-users/{id}/password", api, s.apiSetLocalUserPassword},
		{"POST", "/api/v1/account/password", api, s.apiChangeOwnPassword},
		{"GET", "/api/v1/tokens", api, s.apiListTokens},
		{"POST", "/api/v1/tokens", api, s.apiCreateToken},
		{"DELETE", "/api/v1/tokens/{id}", api, s.apiDeleteToken},
		{"GET", "/api/v1/events", api, s.apiListEvents},
		{"GET", "/api/v1/webhooks", api, s.apiListWebhooks},
		{"POST", "/api/v1/webhooks", api, s.apiCreateWebhook},
		{"DELETE", "/api/v1/webhooks/{id}", api, s.apiDeleteWebhook},
		{"POST", "/api/v1/webhooks/{id}/redeliver", api, s.apiRedeliverWebhook},
	}
	rs = append(rs, s.entityRoutes()...)
	rs = append(rs, s.ldapViewRoutes()...)
	rs = append(rs, s.scimRoutes()...)
	rs = append(rs, s.scimRequestRoutes()...)
	rs = append(rs, s.adminRoutes()...)
	rs = append(rs, s.accessRoutes()...)
	return append(rs, s.scheduleRoutes()...)
}

// ServeHTTP serves the UI and the API with security headers on every
// response.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	if !s.hostAllowed(r.Host) {
		http.Error(w, "Misdirected Request: this server does not answer for host "+strconv.Quote(logValue(r.Host))+
			"; start it with --host NAME to accept that name", http.StatusMisdirectedRequest)
		return
	}
	if s.opts.Secure {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	if r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, "/static/") {
		if _, pattern := s.mux.Handler(r); pattern == "" {
			// A page that does not exist is answered with the layout, as
			// every other page, and an API path with a JSON error, not with
			// Go's bare "404 page not found".
			if strings.HasPrefix(r.URL.Path, "/api/") {
				s.notFoundAPI.ServeHTTP(w, r)
			} else {
				s.notFound.ServeHTTP(w, r)
			}
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

// Wait blocks until every sync the server started has finished (after the
// context given to New is cancelled, they stop promptly).
func (s *Server) Wait() { s.app.Runs.Wait() }

func cacheFor(d time.Duration, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", fmt.Sprintf("private, max-age=%d", int(d.Seconds())))
		h.ServeHTTP(w, r)
	})
}

// noListing answers 404 for directories, so that the static assets are
// served but not listed.
func noListing(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" || strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// hostAllowed reports whether a request's Host header names this server:
// a configured name, a loopback name, or an IP literal (a rebinding attack
// needs a DNS name of the attacker's, so IP literals are safe to accept).
func (s *Server) hostAllowed(host string) bool {
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.TrimSuffix(strings.ToLower(strings.Trim(name, "[]")), ".")
	if name == "localhost" || strings.HasSuffix(name, ".localhost") || net.ParseIP(name) != nil {
		return true
	}
	for _, h := range s.opts.Hosts {
		if strings.EqualFold(strings.TrimSuffix(h, "."), name) {
			return true
		}
	}
	return false
}

// cookieName gives a cookie its name: under TLS with the "__Host-" prefix,
// which makes the browser refuse the cookie unless it is secure, for this
// exact host and the whole path, so no other subdomain can set or shadow it.
func (s *Server) cookieName(base string) string {
	if s.opts.Secure {
		return "__Host-" + base
	}
	return base
}

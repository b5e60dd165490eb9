package graph

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Request is one request the server received, for tests to inspect.
type Request struct {
	Time   time.Time
	Method string
	Path   string
	Query  url.Values
	// Prefer is the request's Prefer header.
	Prefer string
	Status int
}

// Requests returns the requests received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// ClearRequests empties the request log.
func (s *Server) ClearRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
}

// maxLog bounds the request log so that a benchmark's hundred thousand
// users do not grow it without end.
const maxLog = 100000

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("graph: hijack not supported")
	}
	w.status = -1
	return hj.Hijack()
}

// Handler serves the tenant: the token and discovery endpoints and Graph
// v1.0.
func (s *Server) Handler() http.Handler {
	// Sign-in and Graph are two hosts in Entra; here they share one, so
	// each gets its own mux and the path's first segment picks one.
	sts := http.NewServeMux()
	mux := http.NewServeMux()
	sts.HandleFunc("/{tenant}/oauth2/v2.0/token", func(w http.ResponseWriter, r *http.Request) {
		s.handleToken(w, r, r.PathValue("tenant"))
	})
	sts.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		s.handleOpenIDConfig(w, r, r.PathValue("tenant"))
	})
	sts.HandleFunc("GET /common/discovery/instance", s.handleInstanceDiscovery)

	users := []string{"User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	groups := []string{"GroupMember.Read.All", "Group.Read.All", "Group.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	g := func(pattern string, perms []string, h func(http.ResponseWriter, *http.Request)) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			if t, ok := s.takeThrottle(); ok {
				writeThrottled(w, r, t)
				return
			}
			if !s.authorize(w, r, perms) {
				return
			}
			h(w, r)
		})
	}
	// delta-query-users.md: /delta is a shortcut for the fully qualified
	// /microsoft.graph.delta the SDKs send; both are served.
	for _, d := range []string{"delta", "microsoft.graph.delta"} {
		g("GET /v1.0/users/"+d, users, func(w http.ResponseWriter, r *http.Request) { s.handleDelta(w, r, kindUsers) })
		g("GET /v1.0/groups/"+d, groups, func(w http.ResponseWriter, r *http.Request) { s.handleDelta(w, r, kindGroups) })
	}
	g("GET /v1.0/users/$count", users, func(w http.ResponseWriter, r *http.Request) { s.handleCount(w, r, kindUsers) })
	g("GET /v1.0/groups/$count", groups, func(w http.ResponseWriter, r *http.Request) { s.handleCount(w, r, kindGroups) })
	g("GET /v1.0/users", users, s.handleListUsers)
	g("GET /v1.0/users/{id}", users, s.handleGetUser)
	g("GET /v1.0/users/{id}/manager", users, s.handleGetManager)
	g("GET /v1.0/groups", groups, s.handleListGroups)
	g("GET /v1.0/groups/{id}", groups, s.handleGetGroup)
	g("GET /v1.0/groups/{id}/members", groups, func(w http.ResponseWriter, r *http.Request) { s.handleMembers(w, r, false) })
	g("GET /v1.0/groups/{id}/transitiveMembers", groups, func(w http.ResponseWriter, r *http.Request) { s.handleMembers(w, r, true) })
	// directory-deleteditems-list.md spells the segment both deletedItems
	// and deleteditems.
	g("GET /v1.0/directory/deletedItems/microsoft.graph.user", users, s.handleDeletedUsers)
	g("GET /v1.0/directory/deleteditems/microsoft.graph.user", users, s.handleDeletedUsers)
	mux.HandleFunc("/v1.0/", func(w http.ResponseWriter, r *http.Request) {
		writeGraphError(w, r, http.StatusBadRequest, "BadRequest", "Resource not found for the segment '"+strings.TrimPrefix(r.URL.Path, "/v1.0/")+"'.")
	})

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			s.mu.Lock()
			if len(s.log) >= maxLog {
				s.log = s.log[len(s.log)-maxLog/2:]
			}
			s.log = append(s.log, Request{Time: time.Now(), Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Prefer: r.Header.Get("Prefer"), Status: sw.status})
			s.mu.Unlock()
		}()
		if strings.HasPrefix(r.URL.Path, "/v1.0/") {
			mux.ServeHTTP(sw, r)
			return
		}
		sts.ServeHTTP(sw, r)
	})
}

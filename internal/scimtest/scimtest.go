// Package scimtest runs `usersync serve`'s handler (package web, composed
// as the command composes it) on a fresh store with a SCIM connection and
// a bearer token, so that SCIM tests talk to the real endpoint over HTTP on
// loopback, on SQLite or PostgreSQL.
package scimtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/testdir/apptest"
	"github.com/usersync/usersync/internal/web"
)

// Server is a running usersync with one SCIM connection.
type Server struct {
	T     testing.TB
	App   *app.App
	URL   string // the connection's SCIM root: http://127.0.0.1:PORT/scim/v2/NAME
	Token string
	Conn  string
	srv   *httptest.Server
}

// Options shape the connection: Doc is its JSON document without name
// and systemType (empty for the defaults).
type Options struct {
	Doc        string
	Middleware func(http.Handler) http.Handler
}

// Start serves a fresh store (db "" is a temporary SQLite file, or a
// postgres:// URL) with a SCIM connection named "entra" and a token for
// it.
func Start(t testing.TB, db string, o Options) *Server {
	t.Helper()
	a := apptest.Open(t, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	doc := `{"name":"entra","systemType":"scim"}`
	if o.Doc != "" {
		doc = `{"name":"entra","systemType":"scim",` + strings.TrimPrefix(strings.TrimSpace(o.Doc), "{")
	}
	if _, _, err := a.ApplyConnection(ctx, []byte(doc)); err != nil {
		cancel()
		t.Fatalf("scimtest: connection: %v", err)
	}
	tok, _, err := a.CreateSCIMToken(ctx, "entra", "test", "scimtest")
	if err != nil {
		cancel()
		t.Fatalf("scimtest: token: %v", err)
	}
	w, err := web.New(ctx, a, web.Options{SCIMMiddleware: o.Middleware})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	srv := httptest.NewServer(w)
	t.Cleanup(func() {
		srv.Close()
		cancel()
		w.Wait()
	})
	return &Server{T: t, App: a, URL: srv.URL + "/scim/v2/entra", Token: tok, Conn: "entra", srv: srv}
}

// Response is an answer: status, headers and the body as JSON (when it is).
type Response struct {
	Status int
	Header http.Header
	Raw    []byte
	JSON   map[string]any
}

// Do sends a request with the server's token; path is relative to the
// connection's SCIM root ("/Users?filter=...").
func (s *Server) Do(method, path, body string) Response {
	return s.DoAs(s.Token, method, path, body)
}

// DoAs sends a request with another token ("" sends none).
func (s *Server) DoAs(token, method, path, body string) Response {
	s.T.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		s.T.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	return s.send(req)
}

// DoRaw sends a prepared body (for sizes a string literal cannot hold).
func (s *Server) DoRaw(method, path string, body []byte) Response {
	s.T.Helper()
	req, err := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
	if err != nil {
		s.T.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.Token)
	req.Header.Set("Content-Type", "application/scim+json")
	return s.send(req)
}

func (s *Server) send(req *http.Request) Response {
	s.T.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.T.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := Response{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &r.JSON)
	}
	return r
}

// doAt sends a request with the server's token to another instance's
// SCIM root (same connection, same store).
func (s *Server) doAt(root, method, path, body string) Response {
	req, err := http.NewRequest(method, root+path, strings.NewReader(body))
	if err != nil {
		s.T.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.Token)
	req.Header.Set("Content-Type", "application/scim+json")
	return s.send(req)
}

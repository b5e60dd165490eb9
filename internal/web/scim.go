package web

import (
	"net/http"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/scim"
	"github.com/usersync/usersync/internal/store"
)

// mountSCIM serves the SCIM 2.0 endpoint of every SCIM connection under
// /scim/v2/{connection}/ on the same listener as the UI and the API. It
// authenticates by the connection's own SCIM tokens, not by sessions or
// API tokens. Options.SCIMMiddleware, when set, wraps it (a request log).
func (s *Server) mountSCIM() {
	var h http.Handler = scim.NewHandler(app.NewSCIMBackend(s.app), s.log)
	if s.opts.SCIMMiddleware != nil {
		h = s.opts.SCIMMiddleware(h)
	}
	s.mux.Handle(scim.Prefix, h)
}

func (s *Server) scimRoutes() []route {
	return []route{
		{"GET", "/api/v1/connections/{name}/scim-tokens", api, s.apiListSCIMTokens},
		{"POST", "/api/v1/connections/{name}/scim-tokens", api, s.apiCreateSCIMToken},
		{"DELETE", "/api/v1/connections/{name}/scim-tokens/{id}", api, s.apiRevokeSCIMToken},
	}
}

func (s *Server) apiListSCIMTokens(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.app.ListSCIMTokens(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []store.SCIMToken{}
	}
	writeJSON(w, http.StatusOK, ts)
	return nil
}

// apiCreateSCIMToken creates a SCIM token and returns its value, the only
// time it is ever shown.
func (s *Server) apiCreateSCIMToken(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Name string `json:"name"`
	}
	if err := readJSON(r, &req); err != nil {
		return err
	}
	tok, t, err := s.app.CreateSCIMToken(r.Context(), r.PathValue("name"), req.Name, principalOf(r).admin)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, struct {
		store.SCIMToken
		Token string `json:"token"`
	}{t, tok})
	return nil
}

func (s *Server) apiRevokeSCIMToken(w http.ResponseWriter, r *http.Request) error {
	if err := s.app.RevokeSCIMToken(r.Context(), r.PathValue("name"), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

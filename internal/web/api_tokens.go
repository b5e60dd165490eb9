package web

import (
	"fmt"
	"net/http"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
)

func (s *Server) apiListTokens(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.st.ListAPITokens(r.Context())
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []store.APIToken{}
	}
	writeJSON(w, http.StatusOK, ts)
	return nil
}

// apiCreateToken creates a token and returns its value, the only time it is
// ever shown.
func (s *Server) apiCreateToken(w http.ResponseWriter, r *http.Request) error {
	var req TokenRequest
	if err := readJSON(r, &req); err != nil {
		return err
	}
	tok, t, err := s.createToken(r, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, struct {
		store.APIToken
		Token string `json:"token"`
	}{t, tok})
	return nil
}

func (s *Server) apiDeleteToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err == nil {
		err = s.st.DeleteAPIToken(r.Context(), id)
	}
	if err != nil {
		return err
	}
	s.app.Audit(r.Context(), app.AuditTokenRevoke, fmt.Sprintf("token %d", id), "")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

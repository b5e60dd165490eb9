package web

import (
	"net/http"

	"github.com/usersync/usersync/internal/app"
)

// The local-user handlers decode the request and leave every rule (the
// password policy and hash, the fields, duplicates) to app, which the CLI
// uses too.

func (s *Server) apiListLocalUsers(w http.ResponseWriter, r *http.Request) {
	users, err := s.app.ListLocalUsers(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, users)
}

func (s *Server) apiCreateLocalUser(w http.ResponseWriter, r *http.Request) {
	var in app.LocalUser
	if err := readJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.app.AddLocalUser(r.Context(), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, u)
}

func (s *Server) apiGetLocalUser(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.app.LocalUser(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

// apiUpdateLocalUser replaces a local user's userId, status and fields; an
// empty password keeps the current one.
func (s *Server) apiUpdateLocalUser(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in app.LocalUser
	if err := readJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.app.UpdateLocalUser(r.Context(), id, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

// passwordInput is the body of the password endpoints.
type passwordInput struct {
	CurrentPassword string `json:"currentPassword"`
	NewPassword     string `json:"newPassword"`
}

// apiSetLocalUserPassword gives a local user a new password.
func (s *Server) apiSetLocalUserPassword(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in passwordInput
	if err := readJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.app.SetLocalUserPassword(r.Context(), id, in.NewPassword); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiDeleteLocalUser(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = s.app.DeleteLocalUser(r.Context(), id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

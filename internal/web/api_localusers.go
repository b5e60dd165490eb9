package web

import (
	"net/http"

	"github.com/usersync/usersync/internal/app"
)

// The local-user handlers decode the request and leave every rule (the
// password policy and hash, the fields, duplicates) to app, which the CLI
// uses too.

func (s *Server) apiListLocalUsers(w http.ResponseWriter, r *http.Request) error {
	users, err := s.app.ListLocalUsers(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, users)
	return nil
}

func (s *Server) apiCreateLocalUser(w http.ResponseWriter, r *http.Request) error {
	var in app.LocalUser
	if err := readJSON(r, &in); err != nil {
		return err
	}
	u, err := s.app.AddLocalUser(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (s *Server) apiGetLocalUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := s.app.LocalUser(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

// apiUpdateLocalUser replaces a local user's userId, status and fields; an
// empty password keeps the current one.
func (s *Server) apiUpdateLocalUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in app.LocalUser
	if err := readJSON(r, &in); err != nil {
		return err
	}
	u, err := s.app.UpdateLocalUser(r.Context(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

// passwordInput is the body of the password endpoints.
type passwordInput struct {
	CurrentPassword string `json:"currentPassword"`
	NewPassword     string `json:"newPassword"`
}

// apiSetLocalUserPassword gives a local user a new password.
func (s *Server) apiSetLocalUserPassword(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in passwordInput
	if err := readJSON(r, &in); err != nil {
		return err
	}
	if err := s.app.SetLocalUserPassword(r.Context(), id, in.NewPassword); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiDeleteLocalUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err == nil {
		err = s.app.DeleteLocalUser(r.Context(), id)
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

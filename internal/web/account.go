package web

import (
	"errors"
	"net/http"

	"github.com/usersync/usersync/internal/app"
)

// errNotAnAdmin refuses a password change to a caller that is an API token
// rather than a logged-in administrator.
var errNotAnAdmin = &httpError{status: http.StatusForbidden, code: "forbidden",
	msg: "only a logged-in administrator can change their password; an API token has none"}

// apiChangeOwnPassword changes the logged-in administrator's password and
// ends all their other sessions; this session stays logged in.
func (s *Server) apiChangeOwnPassword(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r)
	if p.session == nil {
		return errNotAnAdmin
	}
	var in passwordInput
	if err := readJSON(r, &in); err != nil {
		return err
	}
	if err := s.app.ChangeOwnPassword(r.Context(), p.admin, in.CurrentPassword, in.NewPassword, p.session.IDHash); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// accountPage shows the form to change one's own password.
func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "account", "Your account", map[string]any{"Error": "", "Field": ""})
	return nil
}

// changePasswordSubmit is the form version of apiChangeOwnPassword.
func (s *Server) changePasswordSubmit(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r)
	err := s.app.ChangeOwnPassword(r.Context(), p.admin, r.PostFormValue("currentPassword"), r.PostFormValue("newPassword"), p.session.IDHash)
	if err != nil {
		var fe *app.FieldError
		if !errors.As(err, &fe) {
			return err
		}
		s.render(w, r, http.StatusBadRequest, "account", "Your account", map[string]any{"Error": fe.Msg, "Field": fe.Field})
		return nil
	}
	s.redirectFlash(w, r, "/account", "password", "Password changed.")
	return nil
}

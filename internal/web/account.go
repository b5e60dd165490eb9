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
func (s *Server) apiChangeOwnPassword(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	if p.session == nil {
		s.writeError(w, r, errNotAnAdmin)
		return
	}
	var in passwordInput
	if err := readJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.app.ChangeOwnPassword(r.Context(), p.admin, in.CurrentPassword, in.NewPassword, p.session.IDHash); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// accountPage shows the form to change one's own password.
func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "account", "Your account", map[string]any{"Error": "", "Field": ""})
}

// changePasswordSubmit is the form version of apiChangeOwnPassword.
func (s *Server) changePasswordSubmit(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	err := s.app.ChangeOwnPassword(r.Context(), p.admin, r.PostFormValue("currentPassword"), r.PostFormValue("newPassword"), p.session.IDHash)
	if err != nil {
		var fe *app.FieldError
		if !errors.As(err, &fe) {
			s.pageError(w, r, err)
			return
		}
		s.render(w, r, http.StatusBadRequest, "account", "Your account", map[string]any{"Error": fe.Msg, "Field": fe.Field})
		return
	}
	http.Redirect(w, r, "/account?flash=password", http.StatusSeeOther)
}

package web

import (
	"net/http"
	"net/url"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
)

// adminsPage lists administrators with their roles, a form to add one and,
// for each, a form to change the role or disable them.
func (s *Server) adminsPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderAdmins(w, r, http.StatusOK, nil, app.NewAdmin{})
}

func (s *Server) renderAdmins(w http.ResponseWriter, r *http.Request, status int, formErr *apiError, form app.NewAdmin) error {
	list, err := s.app.ListAdmins(r.Context())
	if err != nil {
		return err
	}
	views := make([]adminView, len(list))
	for i, a := range list {
		views[i] = viewAdmin(a)
	}
	s.render(w, r, status, "admins", "Administrators", map[string]any{
		"Admins": views, "Form": form, "FormError": formErr, "Roles": []string{store.RoleOperator, store.RoleAdmin},
		"Done": s.flashText(r, flashDone), "Error": s.flashText(r, flashError),
	})
	return nil
}

func (s *Server) createAdminSubmit(w http.ResponseWriter, r *http.Request) error {
	n := app.NewAdmin{Name: r.PostFormValue("name"), Role: r.PostFormValue("role"), Password: r.PostFormValue("password")}
	if _, err := s.app.CreateAdmin(r.Context(), n); err != nil {
		status, e := classify(err)
		n.Password = ""
		return s.renderAdmins(w, r, status, &e, n)
	}
	s.redirectFlash(w, r, "/admins", flashDone, "Administrator "+n.Name+" added with the "+n.Role+" role.")
	return nil
}

func (s *Server) updateAdminSubmit(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	_, err := s.app.UpdateAdmin(r.Context(), name, r.PostFormValue("role"), r.PostFormValue("disabled") == "on")
	if err != nil {
		_, e := classify(err)
		s.redirectFlash(w, r, "/admins", flashError, e.Message)
		return nil
	}
	s.redirectFlash(w, r, "/admins", flashDone, "Administrator "+name+" saved.")
	return nil
}

// auditPageSize is how many audit events one page of the UI shows.
const auditPageSize = 50

// auditPage shows the audit log, newest first, filtered by actor, action,
// object and time, a page at a time.
func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) error {
	f, ferr := auditQuery(r)
	f.Limit = auditPageSize
	var list []store.AuditEvent
	total := 0
	var errMsg string
	if ferr != nil {
		_, e := classify(ferr)
		errMsg = e.Message
	} else {
		var err error
		if list, total, err = s.app.AuditLog(r.Context(), f); err != nil {
			return err
		}
	}
	q := r.URL.Query()
	page := func(offset int) string {
		v := url.Values{}
		for _, k := range []string{"actor", "action", "object", "since", "until"} {
			if q.Get(k) != "" {
				v.Set(k, q.Get(k))
			}
		}
		v.Set("offset", itoa64(int64(offset)))
		return "/audit?" + v.Encode()
	}
	data := map[string]any{
		"Events": list, "Total": total, "Q": q, "Error": errMsg, "Actions": auditActions,
		"From": f.Offset + 1, "To": f.Offset + len(list),
	}
	if f.Offset > 0 {
		data["Prev"] = page(max(f.Offset-auditPageSize, 0))
	}
	if f.Offset+len(list) < total {
		data["Next"] = page(f.Offset + auditPageSize)
	}
	s.render(w, r, http.StatusOK, "audit", "Audit log", data)
	return nil
}

// auditActions are the actions the audit page's filter offers.
var auditActions = []string{
	app.AuditLogin, app.AuditLoginFailed, app.AuditLogout,
	app.AuditConnectionCreate, app.AuditConnectionUpdate, app.AuditConnectionDelete, app.AuditConnectionCheck,
	app.AuditConfigureTwo, app.AuditRun, app.AuditRunApprove, app.AuditRunReject, app.AuditRunCancel, app.AuditRunUndo,
	app.AuditSchedulePause, app.AuditScheduleResume, app.AuditScheduleRestart, app.AuditScheduleRunNow, app.AuditScheduleEdit,
	app.AuditTokenCreate, app.AuditTokenRevoke, app.AuditCertEnrol, app.AuditCertRevoke,
	app.AuditLocalUserCreate, app.AuditLocalUserUpdate, app.AuditLocalUserDelete, app.AuditLocalUserPasswd,
	app.AuditAdminCreate, app.AuditAdminUpdate, app.AuditAdminPassword,
	app.AuditUserSet, app.AuditUserAssign, app.AuditUserUnassign, app.AuditDirectoryUserAdd,
	app.AuditEntityCreate, app.AuditEntityDelete, app.AuditKeyRotate,
}

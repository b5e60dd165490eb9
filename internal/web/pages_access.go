package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/certmap"
	"github.com/usersync/usersync/internal/store"
)

// The pages for what was reachable from the command line only: local
// users, API tokens and certificate mappings. Every rule stays in app (and
// CreateToken), which the CLI and the API use too.

// accessRoutes are the pages' routes.
func (s *Server) accessRoutes() []route {
	return []route{
		{"GET", "/local-users", page, s.localUsersPage},
		{"POST", "/local-users", page, s.createLocalUserSubmit},
		{"POST", "/local-users/{id}", page, s.updateLocalUserSubmit},
		{"GET", "/tokens", page, s.tokensPage},
		{"POST", "/tokens", page, s.createTokenSubmit},
		{"POST", "/tokens/{id}/revoke", page, s.revokeTokenSubmit},
		{"GET", "/certificates", page, s.certificatesPage},
		{"POST", "/certificates", page, s.enrolCertificateSubmit},
		{"POST", "/certificates/{id}/revoke", page, s.revokeCertificateSubmit},
	}
}

// formState is a form's values and its error, to show it again after a
// failed submit with the focus on the field at fault.
type formState struct {
	Values map[string]string
	Err    *apiError
}

func failedForm(err error, values map[string]string) formState {
	_, e := classify(err)
	return formState{Values: values, Err: &e}
}

func (s *Server) localUsersPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderLocalUsers(w, r, http.StatusOK, formState{})
}

func (s *Server) renderLocalUsers(w http.ResponseWriter, r *http.Request, status int, f formState) error {
	users, err := s.app.ListLocalUsers(r.Context())
	if err != nil {
		return err
	}
	s.render(w, r, status, "local_users", "Local users", map[string]any{
		"Users": users, "Form": f, "Done": s.flashText(r, flashDone), "Error": s.flashText(r, flashError),
	})
	return nil
}

func (s *Server) createLocalUserSubmit(w http.ResponseWriter, r *http.Request) error {
	lu := app.LocalUser{UserID: r.PostFormValue("userId"), DisplayName: r.PostFormValue("displayName"),
		Email: r.PostFormValue("email"), Password: r.PostFormValue("password")}
	if _, err := s.app.AddLocalUser(r.Context(), lu); err != nil {
		status, _ := classify(err)
		// The password is never sent back into the page.
		return s.renderLocalUsers(w, r, status, failedForm(err, map[string]string{
			"userId": lu.UserID, "displayName": lu.DisplayName, "email": lu.Email}))
	}
	s.redirectFlash(w, r, "/local-users", flashDone, "Local user "+strings.TrimSpace(lu.UserID)+" added.")
	return nil
}

// updateLocalUserSubmit saves a local user's name, e-mail and status
// (deactivating them), keeping their other fields and their password.
func (s *Server) updateLocalUserSubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := s.app.LocalUser(r.Context(), id)
	if err != nil {
		return err
	}
	fields := map[string]string{}
	for k, v := range u.Fields {
		if k != store.FieldDisplayName && k != store.FieldEmail {
			fields[k] = v
		}
	}
	status := store.StatusActive
	if r.PostFormValue("inactive") == "on" {
		status = store.StatusInactive
	}
	lu := app.LocalUser{UserID: u.UserID, Status: status, DisplayName: r.PostFormValue("displayName"),
		Email: r.PostFormValue("email"), Fields: fields}
	if _, err := s.app.UpdateLocalUser(r.Context(), id, lu); err != nil {
		_, e := classify(err)
		s.redirectFlash(w, r, "/local-users", flashError, u.UserID+": "+e.Message)
		return nil
	}
	s.redirectFlash(w, r, "/local-users", flashDone, "Local user "+u.UserID+" saved.")
	return nil
}

func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderTokens(w, r, http.StatusOK, formState{}, "")
}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, status int, f formState, created string) error {
	ts, err := s.st.ListAPITokens(r.Context())
	if err != nil {
		return err
	}
	s.render(w, r, status, "tokens", "API tokens", map[string]any{
		"Tokens": ts, "Form": f, "Created": created, "Scopes": []string{store.TokenScopeRead, store.TokenScopeRun, store.TokenScopeAdmin},
		"Done": s.flashText(r, flashDone), "Error": s.flashText(r, flashError),
	})
	return nil
}

// createTokenSubmit creates a token and shows its value in the answer to
// this request only: it is never stored, and the page is not cached.
func (s *Server) createTokenSubmit(w http.ResponseWriter, r *http.Request) error {
	values := map[string]string{"name": r.PostFormValue("name"), "scope": r.PostFormValue("scope"), "expiresInDays": r.PostFormValue("expiresInDays")}
	days := 0
	if v := strings.TrimSpace(values["expiresInDays"]); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return s.renderTokens(w, r, http.StatusBadRequest, failedForm(badRequest("expiresInDays", "expiresInDays: give a number of days from 1 to 366"), values), "")
		}
		days = n
	}
	tok, t, err := s.createToken(r, TokenRequest{Name: values["name"], Scope: values["scope"], ExpiresInDays: days})
	if err != nil {
		status, _ := classify(err)
		return s.renderTokens(w, r, status, failedForm(err, values), "")
	}
	_ = t
	return s.renderTokens(w, r, http.StatusCreated, formState{}, tok)
}

// createToken creates a token for the requester and audits it.
func (s *Server) createToken(r *http.Request, req TokenRequest) (string, store.APIToken, error) {
	tok, t, err := CreateToken(r.Context(), s.st, req, principalOf(r).admin)
	if err == nil {
		s.app.Audit(r.Context(), app.AuditTokenCreate, "token "+t.Name, "scope "+t.Scope)
	}
	return tok, t, err
}

func (s *Server) revokeTokenSubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.st.DeleteAPIToken(r.Context(), id); err != nil {
		return err
	}
	s.app.Audit(r.Context(), app.AuditTokenRevoke, fmt.Sprintf("token %d", id), "")
	s.redirectFlash(w, r, "/tokens", flashDone, "Token revoked: it no longer works.")
	return nil
}

func (s *Server) certificatesPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderCertificates(w, r, http.StatusOK, formState{})
}

func (s *Server) renderCertificates(w http.ResponseWriter, r *http.Request, status int, f formState) error {
	q := store.CertificateQuery{Connection: r.URL.Query().Get("connection"), Status: r.URL.Query().Get("status")}
	certs, err := s.app.ListCertificates(r.Context(), q)
	if err != nil {
		return err
	}
	conns, err := s.st.ListConnections(r.Context())
	if err != nil {
		return err
	}
	var rps []string
	for _, c := range conns {
		if c.DirectoryType == "relyingParty" {
			rps = append(rps, c.Name)
		}
	}
	s.render(w, r, status, "certificates", "Certificate mappings", map[string]any{
		"Certs": certs, "RelyingParties": rps, "Form": f, "Forms": certmap.Forms,
		"Done": s.flashText(r, flashDone), "Error": s.flashText(r, flashError),
	})
	return nil
}

// enrolCertificateSubmit enrols a certificate pasted as PEM for a user of
// a relying party.
func (s *Server) enrolCertificateSubmit(w http.ResponseWriter, r *http.Request) error {
	values := map[string]string{"connection": r.PostFormValue("connection"), "userId": r.PostFormValue("userId"),
		"form": r.PostFormValue("form"), "certificate": r.PostFormValue("certificate")}
	fail := func(err error) error {
		status, _ := classify(err)
		return s.renderCertificates(w, r, status, failedForm(err, values))
	}
	switch {
	case values["connection"] == "":
		return fail(badRequest("connection", "connection: choose the relying party"))
	case strings.TrimSpace(values["userId"]) == "":
		return fail(badRequest("userId", "userId: name the usersync user the certificate belongs to"))
	case strings.TrimSpace(values["certificate"]) == "":
		return fail(badRequest("certificate", "certificate: paste the certificate (PEM, beginning with -----BEGIN CERTIFICATE-----)"))
	}
	f, err := certmap.ParseForm(values["form"])
	if err != nil {
		return fail(badRequest("form", "form: "+err.Error()))
	}
	if _, err := certmap.ParseCertificate([]byte(values["certificate"])); err != nil {
		return fail(badRequest("certificate", "certificate: "+err.Error()))
	}
	en, err := s.app.EnrollCertificate(r.Context(), values["connection"], strings.TrimSpace(values["userId"]), []byte(values["certificate"]), f)
	if err != nil {
		return fail(err)
	}
	s.redirectFlash(w, r, "/certificates", flashDone, fmt.Sprintf("Certificate enrolled for %s: mapping written to %s.", values["userId"], en.DN))
	return nil
}

func (s *Server) revokeCertificateSubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := s.app.RevokeCertificateByID(r.Context(), id); err != nil {
		_, e := classify(err)
		s.redirectFlash(w, r, "/certificates", flashError, e.Message)
		return nil
	}
	s.redirectFlash(w, r, "/certificates", flashDone, "Certificate revoked: its mapping was removed.")
	return nil
}

func init() {
	// invalid marks the control of field as the one in error after a
	// failed submit: it is announced with the message, and has the focus.
	funcs["invalid"] = func(f formState, field string) template.HTMLAttr {
		if f.Err == nil || f.Err.Field != field {
			return ""
		}
		return `aria-invalid="true" aria-describedby="form-error" autofocus`
	}
	funcs["value"] = func(f formState, field string) string { return f.Values[field] }
}

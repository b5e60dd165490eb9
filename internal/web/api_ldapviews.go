package web

import (
	"encoding/json"
	"net/http"

	"github.com/usersync/usersync/internal/ldapserve"
	"github.com/usersync/usersync/internal/store"
)

// ldapViewRoutes manage the views the LDAP interface publishes and their
// service accounts.
func (s *Server) ldapViewRoutes() []route {
	return []route{
		{"GET", "/ldap-views", page, s.ldapViewsPage},
		{"POST", "/ldap-views/{name}/accounts", page, s.ldapAccountSubmit},
		{"GET", "/api/v1/ldap-views", api, s.apiListLDAPViews},
		{"GET", "/api/v1/ldap-views/{name}", api, s.apiGetLDAPView},
		{"PUT", "/api/v1/ldap-views/{name}", api, s.apiPutLDAPView},
		{"DELETE", "/api/v1/ldap-views/{name}", api, s.apiDeleteLDAPView},
		{"GET", "/api/v1/ldap-views/{name}/accounts", api, s.apiListLDAPAccounts},
		{"PUT", "/api/v1/ldap-views/{name}/accounts/{account}", api, s.apiPutLDAPAccount},
		{"DELETE", "/api/v1/ldap-views/{name}/accounts/{account}", api, s.apiDeleteLDAPAccount},
	}
}

func (s *Server) apiListLDAPViews(w http.ResponseWriter, r *http.Request) error {
	views, err := s.app.Store.ListLDAPViews(r.Context())
	if err != nil {
		return err
	}
	if views == nil {
		views = []store.LDAPView{}
	}
	writeJSON(w, http.StatusOK, views)
	return nil
}

func (s *Server) apiGetLDAPView(w http.ResponseWriter, r *http.Request) error {
	v, err := s.app.Store.GetLDAPView(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// apiPutLDAPView creates or replaces a view; the path names it.
func (s *Server) apiPutLDAPView(w http.ResponseWriter, r *http.Request) error {
	var v store.LDAPView
	if err := readJSON(r, &v); err != nil {
		return err
	}
	if v.Name != "" && v.Name != r.PathValue("name") {
		return badRequest("name", "the document's name "+v.Name+" differs from the path's "+r.PathValue("name"))
	}
	v.Name = r.PathValue("name")
	doc, err := json.Marshal(v)
	if err != nil {
		return err
	}
	saved, created, err := s.app.ApplyLDAPView(r.Context(), doc)
	if err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "LDAP view saved", "view", saved.Name, "by", principalOf(r).admin)
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, saved)
	return nil
}

func (s *Server) apiDeleteLDAPView(w http.ResponseWriter, r *http.Request) error {
	if err := s.app.Store.DeleteLDAPView(r.Context(), r.PathValue("name")); err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "LDAP view deleted", "view", r.PathValue("name"), "by", principalOf(r).admin)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ldapAccount is how the API shows a service account: never its hash.
type ldapAccount struct {
	store.LDAPAccount
	BindDN string `json:"bindDN"`
}

func (s *Server) apiListLDAPAccounts(w http.ResponseWriter, r *http.Request) error {
	v, err := s.app.Store.GetLDAPView(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	accts, err := s.app.Store.ListLDAPAccounts(r.Context(), v.Name)
	if err != nil {
		return err
	}
	out := []ldapAccount{}
	for _, a := range accts {
		out = append(out, ldapAccount{a, ldapserve.AccountDN(v, a.Name)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiPutLDAPAccount creates a service account or sets its password.
func (s *Server) apiPutLDAPAccount(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Password string `json:"password"`
	}
	if err := readJSON(r, &req); err != nil {
		return err
	}
	dn, err := s.app.SetLDAPAccount(r.Context(), r.PathValue("name"), r.PathValue("account"), req.Password)
	if err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "LDAP service account saved", "view", r.PathValue("name"), "account", r.PathValue("account"), "by", principalOf(r).admin)
	writeJSON(w, http.StatusOK, map[string]string{"view": r.PathValue("name"), "name": r.PathValue("account"), "bindDN": dn})
	return nil
}

func (s *Server) apiDeleteLDAPAccount(w http.ResponseWriter, r *http.Request) error {
	if err := s.app.Store.DeleteLDAPAccount(r.Context(), r.PathValue("name"), r.PathValue("account")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

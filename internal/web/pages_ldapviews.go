package web

import (
	"net/http"
	"sort"

	"github.com/usersync/usersync/internal/ldapserve"
	"github.com/usersync/usersync/internal/store"
)

// ldapViewSection is one view on the LDAP views page.
type ldapViewSection struct {
	View       store.LDAPView
	Attributes []struct{ LDAP, Field string }
	Accounts   []ldapAccount
}

// ldapViewsPage shows the published LDAP views, their attributes and the
// DNs their service accounts bind as.
func (s *Server) ldapViewsPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderLDAPViews(w, r, http.StatusOK, "", "")
}

// ldapAccountSubmit creates a view's service account or sets its password
// from the page's form; a refused one shows the page again with the reason.
func (s *Server) ldapAccountSubmit(w http.ResponseWriter, r *http.Request) error {
	view, name := r.PathValue("name"), r.PostFormValue("account")
	if _, err := s.app.SetLDAPAccount(r.Context(), view, name, r.PostFormValue("password")); err != nil {
		status, e := classify(err)
		return s.renderLDAPViews(w, r, status, view, e.Message)
	}
	s.log.InfoContext(r.Context(), "LDAP service account saved", "view", view, "account", name, "by", principalOf(r).admin)
	s.redirectFlash(w, r, "/ldap-views", flashDone, "Service account "+name+" of view "+view+" saved.")
	return nil
}

func (s *Server) renderLDAPViews(w http.ResponseWriter, r *http.Request, status int, errView, errMsg string) error {
	views, err := s.app.Store.ListLDAPViews(r.Context())
	if err != nil {
		return err
	}
	var sections []ldapViewSection
	for _, v := range views {
		sec := ldapViewSection{View: v}
		for a, f := range v.Attributes {
			sec.Attributes = append(sec.Attributes, struct{ LDAP, Field string }{a, f})
		}
		sort.Slice(sec.Attributes, func(i, j int) bool { return sec.Attributes[i].LDAP < sec.Attributes[j].LDAP })
		accts, err := s.app.Store.ListLDAPAccounts(r.Context(), v.Name)
		if err != nil {
			return err
		}
		for _, a := range accts {
			sec.Accounts = append(sec.Accounts, ldapAccount{a, ldapserve.AccountDN(v, a.Name)})
		}
		sections = append(sections, sec)
	}
	s.render(w, r, status, "ldap_views", "LDAP views", map[string]any{
		"Views": sections, "ErrView": errView, "Error": errMsg, "Done": s.flashText(r, flashDone)})
	return nil
}

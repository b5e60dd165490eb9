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
	s.render(w, r, http.StatusOK, "ldap_views", "LDAP views", map[string]any{"Views": sections})
	return nil
}

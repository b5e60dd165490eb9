package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/store"
)

// connectionsPage is the System Connections list.
func (s *Server) connectionsPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderConnections(w, r, http.StatusOK, nil)
}

func (s *Server) renderConnections(w http.ResponseWriter, r *http.Request, status int, check *checkResult) error {
	cs, err := s.app.Store.ListConnections(r.Context())
	if err != nil {
		return err
	}
	s.render(w, r, status, "connections", "System Connections", map[string]any{
		"Connections": cs, "Check": check, "Added": s.flashText(r, "added"), "Deleted": s.flashText(r, "deleted"),
		"Overlaps": overlapsByName(cs), "Health": s.healthOf(r.Context(), cs),
	})
	return nil
}

// newConnectionPage is "+ System Connection": first the choice of Relying
// Party or Source, then the form for that type.
func (s *Server) newConnectionPage(w http.ResponseWriter, r *http.Request) error {
	typ := r.URL.Query().Get("type")
	if typ != connection.DirectorySource && typ != connection.DirectoryRelyingParty {
		s.render(w, r, http.StatusOK, "connection_choose", "Add a System Connection", nil)
		return nil
	}
	c := connection.Connection{DirectoryType: typ, SystemType: connection.SystemLDAP, Security: connection.SecurityNone, Port: 389}
	c.SearchFilter = "(&(objectClass=user)(objectCategory=person))"
	// The linking key fits the directory type: a source keys its users by
	// the entry's objectGUID, while a relying party finds the entry of an
	// existing usersync user, by default its userId as userPrincipalName.
	c.LinkingKey = "objectGUID"
	if typ == connection.DirectoryRelyingParty {
		c.LinkingKey = connection.DefaultRelyingPartyLink.Attribute
	}
	s.render(w, r, http.StatusOK, "connection_new", newTitle(typ), connForm{C: c, New: true, Errors: map[string]string{}})
	return nil
}

func newTitle(typ string) string {
	if typ == connection.DirectoryRelyingParty {
		return "Relying Party Configuration"
	}
	return "Source Directory Configuration"
}

// createConnectionSubmit adds a connection; the page's script asks the
// operator to confirm before the form is posted.
func (s *Server) createConnectionSubmit(w http.ResponseWriter, r *http.Request) error {
	var c connection.Connection
	errs := readConnForm(r, &c, true)
	if p := s.keptPassword(r); p != "" {
		c.Password = p
	}
	if len(errs) == 0 {
		if _, _, err := s.app.Store.GetConnection(r.Context(), c.Name); err == nil {
			errs["name"] = "a connection with this name already exists"
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	if len(errs) == 0 {
		_, _, err := s.app.PutConnection(r.Context(), c)
		if err == nil {
			s.forgetKeptPassword(r)
			s.redirectFlash(w, r, "/connections", "added", c.Name)
			return nil
		}
		errs = fieldErrors(err)
	}
	kept := s.keepPassword(r, c.Password)
	c.Password = ""
	s.render(w, r, http.StatusBadRequest, "connection_new", newTitle(c.DirectoryType), connForm{C: c, New: true, Errors: errs, PasswordKept: kept})
	return nil
}

// editConnectionPage is the Edit Directory screen.
func (s *Server) editConnectionPage(w http.ResponseWriter, r *http.Request) error {
	c, _, err := s.app.Store.GetConnection(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	f := connForm{C: c, M: newMappingsForm(c), Advanced: AdvancedSettingsAvailable(c.DirectoryType, c.SystemType), Errors: map[string]string{}}
	if f.Warnings, err = s.overlapWarnings(r.Context(), c); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "connection_edit", "Edit Directory", f)
	return nil
}

// updateConnectionSubmit is Update on the Edit Directory screen: it
// persists every field, the ConfigureTwo document included.
func (s *Server) updateConnectionSubmit(w http.ResponseWriter, r *http.Request) error {
	c, _, err := s.app.Store.GetConnection(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	stored := c
	errs := readConnForm(r, &c, false)
	if p := s.keptPassword(r); p != "" {
		c.Password = p
	}
	m := readMappingsForm(r, &c)
	if len(errs) == 0 && len(m.Errors) == 0 {
		if _, _, err = s.app.PutConnection(r.Context(), c); err == nil {
			s.forgetKeptPassword(r)
			s.redirectFlash(w, r, "/connections/"+url.PathEscape(c.Name), "updated", "Directory updated.")
			return nil
		}
		errs = m.takeErrors(err)
	}
	// Only a password given in this form (typed or kept) is kept for the
	// retry; the stored one stays in the store.
	kept := ""
	if c.Password != stored.Password {
		kept = s.keepPassword(r, c.Password)
	}
	c.Password = ""
	f := connForm{C: c, M: m, Advanced: AdvancedSettingsAvailable(stored.DirectoryType, stored.SystemType), Errors: errs, PasswordKept: kept}
	s.render(w, r, http.StatusBadRequest, "connection_edit", "Edit Directory", f)
	return nil
}

// checkConnectionSubmit is check connection without JavaScript: the list
// is shown again with the result in the connection's row.
func (s *Server) checkConnectionSubmit(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	v, err := s.check(r, name)
	res := &checkResult{Name: name, OK: err == nil, View: v}
	if err != nil {
		_, e := classify(err)
		res.Error, res.Field = e.Message, e.Field
	}
	return s.renderConnections(w, r, http.StatusOK, res)
}

func (s *Server) deleteConnectionSubmit(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if err := s.app.DeleteConnection(r.Context(), name); err != nil {
		return err
	}
	s.redirectFlash(w, r, "/connections", "deleted", name)
	return nil
}

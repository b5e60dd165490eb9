package web

import (
	"net/http"
	"strings"

	"github.com/usersync/usersync/internal/store"
)

// entityGroup is one kind's section of the entities page.
type entityGroup struct {
	Kind, Title string
	Items       []store.Entity
}

// entitiesPage lists permission sets, groups and sites with forms to add
// and remove them.
func (s *Server) entitiesPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderEntities(w, r, http.StatusOK, "", "")
}

func (s *Server) renderEntities(w http.ResponseWriter, r *http.Request, status int, errKind, errMsg string) error {
	var groups []entityGroup
	for _, k := range entityKinds {
		list, err := s.listEntities(r, k.Kind)
		if err != nil {
			return err
		}
		groups = append(groups, entityGroup{Kind: k.Kind, Title: k.Title, Items: list})
	}
	s.render(w, r, status, "entities", "Permission sets, groups and sites", map[string]any{
		"Groups": groups, "ErrKind": errKind, "Error": errMsg, "Done": s.flashText(r, flashDone),
	})
	return nil
}

func (s *Server) createEntitySubmit(w http.ResponseWriter, r *http.Request) error {
	kind, name := r.PostFormValue("kind"), r.PostFormValue("name")
	if _, err := s.createEntity(r, kind, name); err != nil {
		status, e := classify(err)
		return s.renderEntities(w, r, status, kind, e.Message)
	}
	s.redirectFlash(w, r, "/entities", flashDone, name+" added.")
	return nil
}

func (s *Server) deleteEntitySubmit(w http.ResponseWriter, r *http.Request) error {
	kind, name := r.PostFormValue("kind"), r.PostFormValue("name")
	if err := s.deleteEntity(r, kind, name); err != nil {
		status, e := classify(err)
		return s.renderEntities(w, r, status, kind, e.Message)
	}
	s.redirectFlash(w, r, "/entities", flashDone, name+" removed, with its memberships.")
	return nil
}

// membershipSubmit assigns or unassigns a user by hand from the user page.
func (s *Server) membershipSubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	add := r.PostFormValue("op") != "unassign"
	m := membership{Kind: r.PostFormValue("kind"), Name: r.PostFormValue("name")}
	if kind, name, ok := strings.Cut(r.PostFormValue("entity"), "/"); ok {
		// The assign form's select carries both as "kind/name".
		m = membership{Kind: kind, Name: name}
	}
	target := "/users/" + itoa64(id)
	if err := s.setMembership(r, id, m, add); err != nil {
		_, e := classify(err)
		s.redirectFlash(w, r, target, flashError, e.Message)
		return nil
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/usersync/usersync/internal/store"
)

// entityKinds names the API collection of each entity kind, in the order
// pages show them.
var entityKinds = []struct{ Kind, Path, Title string }{
	{store.KindPermissionSet, "permission-sets", "Permission sets"},
	{store.KindGroup, "groups", "Groups"},
	{store.KindSite, "sites", "Sites"},
}

// listEntities returns the entities of a kind, never nil.
func (s *Server) listEntities(r *http.Request, kind string) ([]store.Entity, error) {
	return s.app.ListEntities(r.Context(), kind)
}

// createEntity adds an entity; app checks its kind and name.
func (s *Server) createEntity(r *http.Request, kind, name string) (store.Entity, error) {
	ent, err := s.app.CreateEntity(r.Context(), kind, name)
	if err != nil {
		return ent, err
	}
	s.log.InfoContext(r.Context(), "entity created", "kind", kind, "name", name, "by", principalOf(r).admin)
	return ent, nil
}

// deleteEntity removes an entity and every membership in it.
func (s *Server) deleteEntity(r *http.Request, kind, name string) error {
	if err := s.app.DeleteEntity(r.Context(), kind, name); err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "entity deleted", "kind", kind, "name", name, "by", principalOf(r).admin)
	return nil
}

func (s *Server) apiListEntities(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		list, err := s.listEntities(r, kind)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, list)
		return nil
	}
}

func (s *Server) apiCreateEntity(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var req struct {
			Name string `json:"name"`
		}
		if err := readJSON(r, &req); err != nil {
			return err
		}
		ent, err := s.createEntity(r, kind, req.Name)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, ent)
		return nil
	}
}

func (s *Server) apiDeleteEntity(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := s.deleteEntity(r, kind, r.PathValue("name")); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// entityRoutes lists the API routes of the three entity kinds.
func (s *Server) entityRoutes() []route {
	var rs []route
	for _, k := range entityKinds {
		base := "/api/v1/" + k.Path
		rs = append(rs,
			route{"GET", base, api, s.apiListEntities(k.Kind)},
			route{"POST", base, api, s.apiCreateEntity(k.Kind)},
			route{"DELETE", base + "/{name}", api, s.apiDeleteEntity(k.Kind)})
	}
	return rs
}

// membership is a request to assign or unassign a user by hand.
type membership struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// setMembership assigns (add) or unassigns a manual membership.
func (s *Server) setMembership(r *http.Request, id int64, m membership, add bool) error {
	if err := s.app.SetManualMembership(r.Context(), id, m.Kind, m.Name, add); err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "manual membership changed", "user", id, "kind", m.Kind, "name", m.Name, "assigned", add, "by", principalOf(r).admin)
	return nil
}

func (s *Server) apiAssign(w http.ResponseWriter, r *http.Request) error {
	return s.apiMembership(w, r, true)
}

func (s *Server) apiUnassign(w http.ResponseWriter, r *http.Request) error {
	return s.apiMembership(w, r, false)
}

// apiMembership assigns or unassigns and answers with the user's
// memberships.
func (s *Server) apiMembership(w http.ResponseWriter, r *http.Request, add bool) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var m membership
	if err := readJSON(r, &m); err != nil {
		return err
	}
	if err := s.setMembership(r, id, m, add); err != nil {
		return err
	}
	ms, err := s.userMemberships(r, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ms)
	return nil
}

// userMemberships returns a user's memberships from every source, never nil.
func (s *Server) userMemberships(r *http.Request, id int64) ([]store.Membership, error) {
	return s.app.UserMemberships(r.Context(), id)
}

// membershipSource describes a membership's source for people.
func membershipSource(src string) string {
	if src == store.SourceManual {
		return "assigned by hand"
	}
	if conn, ok := strings.CutPrefix(src, "rule:"); ok {
		return "group rules of connection " + conn
	}
	return src
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

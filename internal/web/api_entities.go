package web

import (
	"fmt"
	"net/http"
	"slices"
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

// checkKind refuses a kind that is not one of store.Kinds.
func checkKind(kind string) error {
	if !slices.Contains(store.Kinds, kind) {
		return badRequest("kind", "kind must be one of "+strings.Join(store.Kinds, ", "))
	}
	return nil
}

// checkEntityName refuses the names the CLI refuses: empty, or starting or
// ending with blanks.
func checkEntityName(name string) error {
	if name == "" || strings.TrimSpace(name) != name {
		return badRequest("name", fmt.Sprintf("a name must not be empty or start or end with blanks, got %q", name))
	}
	return nil
}

// listEntities returns the entities of a kind, never nil.
func (s *Server) listEntities(r *http.Request, kind string) ([]store.Entity, error) {
	list, err := s.app.Store.ListEntities(r.Context(), kind)
	if list == nil {
		list = []store.Entity{}
	}
	return list, err
}

// createEntity adds an entity after checking its kind and name.
func (s *Server) createEntity(r *http.Request, kind, name string) (store.Entity, error) {
	if err := checkKind(kind); err != nil {
		return store.Entity{}, err
	}
	if err := checkEntityName(name); err != nil {
		return store.Entity{}, err
	}
	ent, err := s.app.Store.CreateEntity(r.Context(), kind, name)
	if err != nil {
		return store.Entity{}, fmt.Errorf("create %s %q: %w", kind, name, err)
	}
	s.log.InfoContext(r.Context(), "entity created", "kind", kind, "name", name, "by", principalOf(r).admin)
	return ent, nil
}

// deleteEntity removes an entity and every membership in it.
func (s *Server) deleteEntity(r *http.Request, kind, name string) error {
	if err := checkKind(kind); err != nil {
		return err
	}
	if err := s.app.Store.DeleteEntity(r.Context(), kind, name); err != nil {
		return fmt.Errorf("delete %s %q: %w", kind, name, err)
	}
	s.log.InfoContext(r.Context(), "entity deleted", "kind", kind, "name", name, "by", principalOf(r).admin)
	return nil
}

func (s *Server) apiListEntities(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		list, err := s.listEntities(r, kind)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, list)
	}
}

func (s *Server) apiCreateEntity(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Name string `json:"name"`
		}
		if err := readJSON(r, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
		ent, err := s.createEntity(r, kind, req.Name)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, ent)
	}
}

func (s *Server) apiDeleteEntity(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := s.deleteEntity(r, kind, r.PathValue("name")); err != nil {
			s.writeError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
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

// setMembership assigns (add) or unassigns a manual membership. Sync never
// removes a manual membership, and unassigning one leaves the memberships
// group rules manage alone.
func (s *Server) setMembership(r *http.Request, id int64, m membership, add bool) error {
	if err := checkKind(m.Kind); err != nil {
		return err
	}
	if err := checkEntityName(m.Name); err != nil {
		return err
	}
	if _, err := s.app.Store.GetUser(r.Context(), id); err != nil {
		return err
	}
	var err error
	if add {
		err = s.app.Store.AddMembership(r.Context(), id, m.Kind, m.Name, store.SourceManual)
	} else {
		err = s.app.Store.RemoveMembership(r.Context(), id, m.Kind, m.Name, store.SourceManual)
	}
	if err != nil {
		return fmt.Errorf("user %d, %s %q: %w", id, m.Kind, m.Name, err)
	}
	s.log.InfoContext(r.Context(), "manual membership changed", "user", id, "kind", m.Kind, "name", m.Name, "assigned", add, "by", principalOf(r).admin)
	return nil
}

func (s *Server) apiAssign(w http.ResponseWriter, r *http.Request) {
	s.apiMembership(w, r, true)
}

func (s *Server) apiUnassign(w http.ResponseWriter, r *http.Request) {
	s.apiMembership(w, r, false)
}

// apiMembership assigns or unassigns and answers with the user's
// memberships.
func (s *Server) apiMembership(w http.ResponseWriter, r *http.Request, add bool) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var m membership
	if err := readJSON(r, &m); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.setMembership(r, id, m, add); err != nil {
		s.writeError(w, r, err)
		return
	}
	ms, err := s.userMemberships(r, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ms)
}

// userMemberships returns a user's memberships from every source, never nil.
func (s *Server) userMemberships(r *http.Request, id int64) ([]store.Membership, error) {
	ms, err := s.app.Store.UserMemberships(r.Context(), id)
	if ms == nil {
		ms = []store.Membership{}
	}
	return ms, err
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

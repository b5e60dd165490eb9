package graph

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrNotFound is returned by the tenant API for an unknown object id.
var ErrNotFound = errors.New("graph: no such object")

// User is a user as a test writes it into the tenant. Empty strings and nil
// slices are properties that are not set, as in Graph, where an unset
// property is absent from a delta response (user-delta.md: a property never
// set is not included at all).
type User struct {
	// ID is the immutable object id; PutUser makes one when it is empty.
	ID                string
	UserPrincipalName string
	DisplayName       string
	GivenName         string
	Surname           string
	Mail              string
	JobTitle          string
	Department        string
	OfficeLocation    string
	MobilePhone       string
	BusinessPhones    []string
	PreferredLanguage string
	EmployeeID        string
	// AccountEnabled nil means true, the default of a new account.
	AccountEnabled *bool
	// UserType is "Member" when empty, or "Guest".
	UserType string
	// ExtensionAttributes holds onPremisesExtensionAttributes
	// extensionAttribute1..15 by number.
	ExtensionAttributes map[int]string
	// Extensions holds directory extensions by their full name,
	// extension_<appId without dashes>_<name>.
	Extensions map[string]any
	// Manager is the manager's object id.
	Manager string
}

// Group is a group as a test writes it into the tenant.
type Group struct {
	ID              string
	DisplayName     string
	Description     string
	MailNickname    string
	Mail            string
	SecurityEnabled *bool
	MailEnabled     bool
	// Members are object ids of users or groups (nested groups).
	Members []string
}

// lifecycle of a directory object, as delta reports it
// (delta-query-users.md: a deleted user carries @removed reason "changed",
// a permanently deleted one reason "deleted", a restored one no annotation).
type lifecycle uint8

const (
	alive lifecycle = iota
	softDeleted
	hardDeleted
)

// userRec is a user inside the tenant: its properties already encoded as
// JSON, so that a page of a hundred thousand users is written without
// reflection, and the version at which each property last changed, so that
// delta can tell what changed since a token.
type userRec struct {
	id       string
	props    map[string]json.RawMessage
	propVer  map[string]uint64 // nil until a property changes after creation
	manager  string
	prevMgr  string
	mgrVer   uint64
	state    lifecycle
	stateVer uint64 // created, deleted or restored
	ver      uint64 // any change
	// formerGroups are the groups a deleted user was in: restoring a
	// user from deleted items restores its memberships too.
	formerGroups []string
}

type memberRec struct {
	id      string
	isGroup bool
}

type groupRec struct {
	id       string
	props    map[string]json.RawMessage
	propVer  map[string]uint64
	members  []memberRec
	memberAt map[string]uint64 // member id -> version it was added
	removed  map[string]removedMember
	state    lifecycle
	stateVer uint64
	ver      uint64
	// formerGroups are the groups a deleted group was in, given back on
	// restore as for users.
	formerGroups []string
}

type removedMember struct {
	ver     uint64
	isGroup bool
}

// userPropNames lists the user properties a test can set, in the order
// Graph's examples print them.
var userPropNames = []string{
	"businessPhones", "displayName", "givenName", "jobTitle", "mail",
	"mobilePhone", "officeLocation", "preferredLanguage", "surname",
	"userPrincipalName", "department", "employeeId", "accountEnabled",
	"userType", "onPremisesExtensionAttributes",
}

// defaultUserSelect is what Graph returns for a user when no $select is
// given (user-list.md and user-delta.md example 1: businessPhones,
// displayName, givenName, jobTitle, mail, mobilePhone, officeLocation,
// preferredLanguage, surname, userPrincipalName and id).
var defaultUserSelect = []string{
	"businessPhones", "displayName", "givenName", "jobTitle", "mail",
	"mobilePhone", "officeLocation", "preferredLanguage", "surname",
	"userPrincipalName",
}

var defaultGroupSelect = []string{"displayName", "description", "mail", "mailEnabled", "mailNickname", "securityEnabled"}

func (u User) props() (map[string]any, error) {
	p := map[string]any{}
	set := func(k, v string) {
		if v != "" {
			p[k] = v
		}
	}
	set("userPrincipalName", u.UserPrincipalName)
	set("displayName", u.DisplayName)
	set("givenName", u.GivenName)
	set("surname", u.Surname)
	set("mail", u.Mail)
	set("jobTitle", u.JobTitle)
	set("department", u.Department)
	set("officeLocation", u.OfficeLocation)
	set("mobilePhone", u.MobilePhone)
	set("preferredLanguage", u.PreferredLanguage)
	set("employeeId", u.EmployeeID)
	// businessPhones is a collection: Graph always returns it, empty or not.
	phones := u.BusinessPhones
	if phones == nil {
		phones = []string{}
	}
	p["businessPhones"] = phones
	enabled := true
	if u.AccountEnabled != nil {
		enabled = *u.AccountEnabled
	}
	p["accountEnabled"] = enabled
	ut := u.UserType
	if ut == "" {
		ut = "Member"
	}
	p["userType"] = ut
	if len(u.ExtensionAttributes) == 0 {
		p["onPremisesExtensionAttributes"] = noExtensionAttributes
	} else {
		ext := map[string]any{}
		for i := 1; i <= 15; i++ {
			ext[fmt.Sprintf("extensionAttribute%d", i)] = nil
		}
		for n, v := range u.ExtensionAttributes {
			if n < 1 || n > 15 {
				return nil, fmt.Errorf("graph: extensionAttribute%d: only 1..15 exist", n)
			}
			if v != "" {
				ext[fmt.Sprintf("extensionAttribute%d", n)] = v
			}
		}
		p["onPremisesExtensionAttributes"] = ext
	}
	for k, v := range u.Extensions {
		if !strings.HasPrefix(k, "extension_") || strings.Count(k, "_") < 2 {
			return nil, fmt.Errorf("graph: directory extension %q: the name must be extension_<appId>_<name>", k)
		}
		if v != nil {
			p[k] = v
		}
	}
	return p, nil
}

// newID makes a random version-4 GUID, the shape of Entra object ids.
func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func encodeProps(p map[string]any) (map[string]json.RawMessage, error) {
	out := make(map[string]json.RawMessage, len(p))
	for k, v := range p {
		var b []byte
		switch tv := v.(type) {
		case json.RawMessage:
			out[k] = tv
			continue
		case string:
			// The common case, written without reflection.
			out[k] = appendJSONString(make([]byte, 0, len(tv)+2), tv)
			continue
		case bool:
			out[k] = jsonFalse
			if tv {
				out[k] = jsonTrue
			}
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("graph: property %s: %w", k, err)
		}
		// Most users share these values; one copy keeps a large tenant
		// small.
		if s := string(b); s == string(noExtensionAttributes) {
			b = noExtensionAttributes
		} else if s == "[]" {
			b = emptyList
		} else if s == "true" {
			b = jsonTrue
		}
		out[k] = b
	}
	return out, nil
}

var (
	noExtensionAttributes = func() json.RawMessage {
		m := map[string]any{}
		for i := 1; i <= 15; i++ {
			m[fmt.Sprintf("extensionAttribute%d", i)] = nil
		}
		b, _ := json.Marshal(m)
		return b
	}()
	emptyList = json.RawMessage("[]")
	jsonTrue  = json.RawMessage("true")
	jsonFalse = json.RawMessage("false")
)

// applyProps sets the properties of a record at version v and reports
// whether anything changed; a nil value removes the property (Graph then
// reports it as null in delta, user-delta.md: a property set to null is
// included with a null value).
func applyProps(props map[string]json.RawMessage, propVerp *map[string]uint64, next map[string]json.RawMessage, replace bool, v uint64) bool {
	if *propVerp == nil {
		*propVerp = map[string]uint64{}
	}
	propVer := *propVerp
	changed := false
	if replace {
		for k := range props {
			if _, ok := next[k]; !ok {
				delete(props, k)
				propVer[k] = v
				changed = true
			}
		}
	}
	for k, val := range next {
		if string(val) == "null" {
			if _, ok := props[k]; ok {
				delete(props, k)
				propVer[k] = v
				changed = true
			}
			continue
		}
		if old, ok := props[k]; ok && string(old) == string(val) {
			continue
		}
		props[k] = val
		propVer[k] = v
		changed = true
	}
	return changed
}

// PutUser adds a user, or replaces every property of the user with the
// same ID, and returns its id.
func (s *Server) PutUser(u User) (string, error) {
	p, err := u.props()
	if err != nil {
		return "", err
	}
	enc, err := encodeProps(p)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.Manager != "" {
		if _, ok := s.users[u.Manager]; !ok {
			return "", fmt.Errorf("graph: manager %s: %w", u.Manager, ErrNotFound)
		}
	}
	if u.ID == "" {
		u.ID = newID()
	}
	s.version++
	v := s.version
	r, ok := s.users[u.ID]
	if !ok || r.state == hardDeleted {
		if !ok {
			s.userOrder = append(s.userOrder, u.ID)
		}
		r = &userRec{id: u.ID, props: enc, stateVer: v, ver: v}
		if u.Manager != "" {
			r.manager, r.mgrVer = u.Manager, v
		}
		s.users[u.ID] = r
		return u.ID, nil
	}
	changed := applyProps(r.props, &r.propVer, enc, true, v)
	if r.manager != u.Manager {
		r.prevMgr, r.manager, r.mgrVer = r.manager, u.Manager, v
		changed = true
	}
	if changed {
		r.ver = v
	}
	return u.ID, nil
}

// UpdateUser changes some properties of a user, by their Graph names (as a
// PATCH on /users/{id} would); a nil value clears the property. "manager"
// takes the manager's id, or nil to remove the manager.
func (s *Server) UpdateUser(id string, props map[string]any) error {
	var mgr *string
	var extUpdate map[string]any
	rest := map[string]any{}
	for k, v := range props {
		if k == "manager" {
			m := ""
			if v != nil {
				sv, ok := v.(string)
				if !ok {
					return fmt.Errorf("graph: manager: want an object id string, got %T", v)
				}
				m = sv
			}
			mgr = &m
			continue
		}
		if k == "id" {
			return fmt.Errorf("graph: id: the object id is immutable")
		}
		if !knownUserProp(k) {
			return fmt.Errorf("graph: %s: not a user property this tenant keeps (directory extensions are named extension_<appId>_<name>)", k)
		}
		if k == "onPremisesExtensionAttributes" {
			m, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("graph: onPremisesExtensionAttributes: want a map of extensionAttribute1..15, got %T", v)
			}
			for name := range m {
				n, err := strconv.Atoi(strings.TrimPrefix(name, "extensionAttribute"))
				if !strings.HasPrefix(name, "extensionAttribute") || err != nil || n < 1 || n > 15 {
					return fmt.Errorf("graph: onPremisesExtensionAttributes.%s: only extensionAttribute1..15 exist", name)
				}
			}
			extUpdate = m
			continue
		}
		rest[k] = v
	}
	enc, err := encodeProps(rest)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.users[id]
	if !ok || r.state != alive {
		return fmt.Errorf("graph: user %s: %w", id, ErrNotFound)
	}
	if extUpdate != nil {
		// Updating some extension attributes keeps the others, as a
		// PATCH of them does.
		ext := map[string]any{}
		if err := json.Unmarshal(r.props["onPremisesExtensionAttributes"], &ext); err != nil {
			return fmt.Errorf("graph: onPremisesExtensionAttributes of %s: %w", id, err)
		}
		for k, v := range extUpdate {
			ext[k] = v
		}
		b, err := json.Marshal(ext)
		if err != nil {
			return fmt.Errorf("graph: onPremisesExtensionAttributes: %w", err)
		}
		enc["onPremisesExtensionAttributes"] = b
	}
	s.version++
	v := s.version
	changed := applyProps(r.props, &r.propVer, enc, false, v)
	if mgr != nil && *mgr != r.manager {
		if *mgr != "" {
			if _, ok := s.users[*mgr]; !ok {
				return fmt.Errorf("graph: manager %s: %w", *mgr, ErrNotFound)
			}
		}
		r.prevMgr, r.manager, r.mgrVer = r.manager, *mgr, v
		changed = true
	}
	if changed {
		r.ver = v
	}
	return nil
}

// DeleteUser deletes a user the way DELETE /users/{id} does: into the
// deleted items, from where RestoreUser brings it back.
func (s *Server) DeleteUser(id string) error { return s.setUserState(id, softDeleted) }

// RestoreUser restores a deleted user.
func (s *Server) RestoreUser(id string) error { return s.setUserState(id, alive) }

// PurgeUser deletes a user permanently.
func (s *Server) PurgeUser(id string) error { return s.setUserState(id, hardDeleted) }

func (s *Server) setUserState(id string, st lifecycle) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.users[id]
	if !ok || r.state == hardDeleted || (st == alive && r.state != softDeleted) {
		return fmt.Errorf("graph: user %s: %w", id, ErrNotFound)
	}
	if r.state == st {
		return nil
	}
	s.version++
	was := r.state
	r.state, r.stateVer, r.ver = st, s.version, s.version
	switch {
	case st == alive:
		for _, gid := range r.formerGroups {
			if g, ok := s.groups[gid]; ok && g.state == alive {
				s.addMemberLocked(g, id)
			}
		}
		r.formerGroups = nil
	case was == alive:
		// A deleted user leaves every group it was in; delta reports that
		// as a members@delta removal (delta-query-groups.md: a member
		// removed either by removing the membership or by deleting the
		// user object).
		for _, gid := range s.groupOrder {
			g := s.groups[gid]
			if _, ok := g.memberAt[id]; ok {
				r.formerGroups = append(r.formerGroups, gid)
				s.removeMemberLocked(g, id)
			}
		}
	}
	if st == hardDeleted {
		r.formerGroups = nil
	}
	return nil
}

// UserIDs returns the ids of the users that are not deleted, in the order
// they were added.
func (s *Server) UserIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for _, id := range s.userOrder {
		if s.users[id].state == alive {
			ids = append(ids, id)
		}
	}
	return ids
}

func knownUserProp(k string) bool {
	for _, p := range userPropNames {
		if p == k {
			return true
		}
	}
	return strings.HasPrefix(k, "extension_") && strings.Count(k, "_") >= 2
}

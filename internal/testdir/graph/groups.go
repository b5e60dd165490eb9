package graph

import (
	"fmt"
	"sort"
	"strings"
)

// PutGroup adds a group, or replaces the group with the same ID (its
// properties and its member list), and returns its id.
func (s *Server) PutGroup(g Group) (string, error) {
	enc, err := encodeProps(g.props())
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range g.Members {
		if err := s.checkMemberLocked(m); err != nil {
			return "", err
		}
	}
	if g.ID == "" {
		g.ID = newID()
	}
	s.version++
	v := s.version
	r, ok := s.groups[g.ID]
	if !ok || r.state == hardDeleted {
		if !ok {
			s.groupOrder = append(s.groupOrder, g.ID)
		}
		r = &groupRec{id: g.ID, props: enc, memberAt: map[string]uint64{}, removed: map[string]removedMember{}, stateVer: v, ver: v}
		s.groups[g.ID] = r
	} else if applyProps(r.props, &r.propVer, enc, true, v) {
		r.ver = v
	}
	want := map[string]bool{}
	for _, m := range g.Members {
		want[m] = true
		s.addMemberLocked(r, m)
	}
	for _, m := range append([]memberRec(nil), r.members...) {
		if !want[m.id] {
			s.removeMemberLocked(r, m.id)
		}
	}
	return g.ID, nil
}

func (s *Server) checkMemberLocked(id string) error {
	if u, ok := s.users[id]; ok && u.state == alive {
		return nil
	}
	if g, ok := s.groups[id]; ok && g.state == alive {
		return nil
	}
	return fmt.Errorf("graph: member %s: %w", id, ErrNotFound)
}

// AddMember adds a user or a group to a group; adding a member already
// there changes nothing, as Graph refuses it.
func (s *Server) AddMember(groupID, memberID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[groupID]
	if !ok || g.state != alive {
		return fmt.Errorf("graph: group %s: %w", groupID, ErrNotFound)
	}
	if err := s.checkMemberLocked(memberID); err != nil {
		return err
	}
	s.addMemberLocked(g, memberID)
	return nil
}

// RemoveMember removes a member from a group.
func (s *Server) RemoveMember(groupID, memberID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[groupID]
	if !ok || g.state != alive {
		return fmt.Errorf("graph: group %s: %w", groupID, ErrNotFound)
	}
	if _, ok := g.memberAt[memberID]; !ok {
		return fmt.Errorf("graph: member %s of group %s: %w", memberID, groupID, ErrNotFound)
	}
	s.removeMemberLocked(g, memberID)
	return nil
}

func (s *Server) addMemberLocked(g *groupRec, id string) {
	if _, ok := g.memberAt[id]; ok {
		return
	}
	_, isGroup := s.groups[id]
	s.version++
	g.members = append(g.members, memberRec{id: id, isGroup: isGroup})
	g.memberAt[id] = s.version
	delete(g.removed, id)
	g.ver = s.version
}

func (s *Server) removeMemberLocked(g *groupRec, id string) {
	if _, ok := g.memberAt[id]; !ok {
		return
	}
	s.version++
	delete(g.memberAt, id)
	for i, m := range g.members {
		if m.id == id {
			g.members = append(g.members[:i], g.members[i+1:]...)
			g.removed[id] = removedMember{ver: s.version, isGroup: m.isGroup}
			break
		}
	}
	g.ver = s.version
}

// DeleteGroup deletes a group into the deleted items.
func (s *Server) DeleteGroup(id string) error { return s.setGroupState(id, softDeleted) }

// PurgeGroup deletes a group permanently.
func (s *Server) PurgeGroup(id string) error { return s.setGroupState(id, hardDeleted) }

// RestoreGroup restores a deleted group.
func (s *Server) RestoreGroup(id string) error { return s.setGroupState(id, alive) }

func (s *Server) setGroupState(id string, st lifecycle) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.groups[id]
	if !ok || r.state == hardDeleted || (st == alive && r.state != softDeleted) {
		return fmt.Errorf("graph: group %s: %w", id, ErrNotFound)
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
		// Its own members stay with it in deleted items; it leaves the
		// groups it was in.
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

// Members returns a group's direct member ids, sorted.
func (s *Server) Members(groupID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[groupID]
	if !ok {
		return nil
	}
	ids := make([]string, 0, len(g.members))
	for _, m := range g.members {
		ids = append(ids, m.id)
	}
	sort.Strings(ids)
	return ids
}

func (g Group) props() map[string]any {
	p := map[string]any{"displayName": g.DisplayName}
	if g.Description != "" {
		p["description"] = g.Description
	}
	nick := g.MailNickname
	if nick == "" {
		nick = strings.ReplaceAll(strings.ToLower(g.DisplayName), " ", "-")
	}
	p["mailNickname"] = nick
	if g.Mail != "" {
		p["mail"] = g.Mail
	}
	sec := true
	if g.SecurityEnabled != nil {
		sec = *g.SecurityEnabled
	}
	p["securityEnabled"] = sec
	p["mailEnabled"] = g.MailEnabled
	return p
}

package msgraph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// savedGroup is one group as the change token keeps it: its displayName
// and its members, split into groups and everything else, so that the
// next run can apply the groups' delta to it instead of reading every
// group again. The token holds the groups exactly as they stood at its
// groups delta link, because both are written together.
type savedGroup struct {
	Name   string   `json:"n,omitempty"`
	Users  []string `json:"u,omitempty"`
	Groups []string `json:"g,omitempty"`
}

const groupType = "#microsoft.graph.group"

func isGroupType(typ string) bool { return strings.Contains(strings.ToLower(typ), "group") }

// saveGroups turns the groups read into the token's form.
func saveGroups(groups map[string]*group) map[string]savedGroup {
	out := make(map[string]savedGroup, len(groups))
	for id, g := range groups {
		s := savedGroup{Name: g.name}
		for m, typ := range g.members {
			if isGroupType(typ) {
				s.Groups = append(s.Groups, m)
			} else {
				s.Users = append(s.Users, m)
			}
		}
		sort.Strings(s.Users)
		sort.Strings(s.Groups)
		out[id] = s
	}
	return out
}

// loadGroups is the inverse of saveGroups. Members that are not groups
// come back typed as users: the group rules only tell groups apart.
func loadGroups(saved map[string]savedGroup) map[string]*group {
	out := make(map[string]*group, len(saved))
	for id, s := range saved {
		g := &group{name: s.Name, members: make(map[string]string, len(s.Users)+len(s.Groups))}
		for _, m := range s.Users {
			g.members[m] = "#microsoft.graph.user"
		}
		for _, m := range s.Groups {
			g.members[m] = groupType
		}
		out[id] = g
	}
	return out
}

// Resume gives the reader the directory part of the change token the last
// run saved, before the run reads anything. When it holds the groups and
// their delta link, the next group read applies the groups' delta to them
// (members@delta additions and removals, deleted and renamed groups)
// instead of reading every group with its members; the users whose
// memberships that changes are then read again by ReadChanges. An unusable
// token is ignored: the groups are read in full.
func (r *Reader) Resume(dirToken string) {
	var tok token
	if json.Unmarshal([]byte(dirToken), &tok) != nil || tok.Groups == "" || tok.Graph == nil || !sameOrigin(tok.Groups, r.cfg.GraphURL) {
		return
	}
	r.resume = &tok
}

// groupsFromDelta applies the groups' delta since the resumed token to the
// groups it holds, and works out which users' memberships changed: a user
// added to or removed from a group, and every user inside a group (through
// nested groups too) that was added to or removed from another group,
// deleted, or renamed. ok is false when Graph no longer knows the link,
// and the groups must be read in full.
func (r *Reader) groupsFromDelta(ctx context.Context) (groups map[string]*group, link string, affected map[string]bool, ok bool, err error) {
	old := loadGroups(r.resume.Graph)
	groups = loadGroups(r.resume.Graph)
	changedUsers := map[string]bool{}
	changedGroups := map[string]bool{}
	link, err = r.pages(ctx, r.resume.Groups, func(o object) error {
		if o.removed != "" {
			delete(groups, o.id)
			changedGroups[o.id] = true
			return nil
		}
		if prev := groups[o.id]; prev != nil {
			if n := o.entry.Get("displayName"); n != "" && n != prev.name {
				changedGroups[o.id] = true
			}
		}
		for _, m := range o.members {
			if isGroupType(m.typ) {
				changedGroups[m.id] = true
			} else {
				changedUsers[m.id] = true
			}
		}
		mergeGroup(groups, o)
		return nil
	})
	var ae *APIError
	if errors.As(err, &ae) && ae.tokenExpired() {
		r.groupsResync = fmt.Sprintf("Graph no longer knows the saved groups delta link (%s), so every group was read again", ae.Error())
		return nil, "", nil, false, nil
	}
	if err != nil {
		return nil, "", nil, false, err
	}
	for g := range changedGroups {
		usersWithin(old, g, changedUsers)
		usersWithin(groups, g, changedUsers)
	}
	return groups, link, changedUsers, true, nil
}

// usersWithin adds to out every non-group member of group id, directly or
// through the groups inside it, guarding against nesting cycles.
func usersWithin(groups map[string]*group, id string, out map[string]bool) {
	seen := map[string]bool{}
	stack := []string{id}
	for len(stack) > 0 {
		gid := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[gid] {
			continue
		}
		seen[gid] = true
		g := groups[gid]
		if g == nil {
			continue
		}
		for m, typ := range g.members {
			if isGroupType(typ) {
				stack = append(stack, m)
			} else {
				out[m] = true
			}
		}
	}
}

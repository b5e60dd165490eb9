package msgraph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// ErrGroupNotFound is returned when no group has the id or displayName a
// scope names; ErrGroupAmbiguous when several groups share the displayName.
var (
	ErrGroupNotFound  = errors.New("no such group")
	ErrGroupAmbiguous = errors.New("several groups have this displayName")
)

var objectID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// IsObjectID says whether s has the form of an Entra object id (a GUID).
func IsObjectID(s string) bool { return objectID.MatchString(s) }

// ScopeGroup is one group a scope lists, with the users in it.
type ScopeGroup struct {
	ID, Name string
	// Members are the ids of the member users the connection reads (guests
	// only when included, only users its filter accepts).
	Members []string
	// Total counts every member user, read or not.
	Total int
}

// ScopeGroup finds the group a scope names, by object id or by exact
// displayName (group-get, group-list with $filter=displayName eq), and
// reads its member users: the direct ones (group-list-members), or with
// transitive those of the groups inside it too
// (group-list-transitivemembers). attrs are the user attributes the run
// reads, so that the connection's filter can be applied to the members.
func (r *Reader) ScopeGroup(ctx context.Context, nameOrID string, transitive bool, attrs []string) (ScopeGroup, error) {
	sg, err := r.findGroup(ctx, nameOrID)
	if err != nil {
		return sg, err
	}
	rel := "members"
	if transitive {
		rel = "transitiveMembers"
	}
	link := r.cfg.GraphURL + "/v1.0/groups/" + url.PathEscape(sg.ID) + "/" + rel + "?$select=" + url.QueryEscape(selectFor(attrs))
	for link != "" {
		var p struct {
			NextLink string            `json:"@odata.nextLink"`
			Value    []json.RawMessage `json:"value"`
		}
		if err := r.get(ctx, link, &p); err != nil {
			return sg, err
		}
		for _, raw := range p.Value {
			var t struct {
				Type string `json:"@odata.type"`
			}
			_ = json.Unmarshal(raw, &t)
			if !strings.EqualFold(t.Type, "#microsoft.graph.user") {
				continue
			}
			o, err := decode(raw)
			if err != nil {
				return sg, err
			}
			sg.Total++
			if r.wanted(o.entry) {
				sg.Members = append(sg.Members, o.id)
			}
		}
		if p.NextLink != "" && !sameOrigin(p.NextLink, r.cfg.GraphURL) {
			return sg, fmt.Errorf("%w: @odata.nextLink points at %s, not at %s: refusing to send the access token there", ErrGraph, redact(p.NextLink), r.cfg.GraphURL)
		}
		link = p.NextLink
	}
	return sg, nil
}

func (r *Reader) findGroup(ctx context.Context, nameOrID string) (ScopeGroup, error) {
	if IsObjectID(nameOrID) {
		var g struct{ ID, DisplayName string }
		err := r.get(ctx, r.cfg.GraphURL+"/v1.0/groups/"+url.PathEscape(nameOrID)+"?$select=id,displayName", &g)
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == 404 {
			return ScopeGroup{}, fmt.Errorf("%w: no group has the id %s", ErrGroupNotFound, nameOrID)
		}
		if err != nil {
			return ScopeGroup{}, err
		}
		return ScopeGroup{ID: g.ID, Name: g.DisplayName}, nil
	}
	// OData string literals double their single quotes.
	f := "displayName eq '" + strings.ReplaceAll(nameOrID, "'", "''") + "'"
	var p struct {
		Value []struct{ ID, DisplayName string } `json:"value"`
	}
	if err := r.get(ctx, r.cfg.GraphURL+"/v1.0/groups?$select=id,displayName&$filter="+url.QueryEscape(f), &p); err != nil {
		return ScopeGroup{}, err
	}
	switch len(p.Value) {
	case 0:
		return ScopeGroup{}, fmt.Errorf("%w: no group is named %q", ErrGroupNotFound, nameOrID)
	case 1:
		return ScopeGroup{ID: p.Value[0].ID, Name: p.Value[0].DisplayName}, nil
	}
	ids := make([]string, len(p.Value))
	for i, g := range p.Value {
		ids[i] = g.ID
	}
	return ScopeGroup{}, fmt.Errorf("%w: %q names the groups %s: list the one meant by its object id", ErrGroupAmbiguous, nameOrID, strings.Join(ids, ", "))
}

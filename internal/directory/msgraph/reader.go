package msgraph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/usersync/usersync/internal/directory"
)

// GroupsBase is the Query.BaseDN that reads groups instead of users; the
// group rules ask for it through the connection's GroupBase.
const GroupsBase = "groups"

// Reader reads one Entra tenant through Graph. It remembers the delta links
// its reads ended with, for TokenAfterRead, and the groups it read, so that
// an incremental read can tell whose memberships changed. Not safe for
// concurrent use: a run reads groups, then users.
type Reader struct {
	cfg        Config
	usersLink  string
	groupsLink string
	// groups holds the members of every group the last group read saw, by
	// group id.
	groups map[string]*group
	// upns maps user ids to userPrincipalNames, for managers.
	upns map[string]string
	// fresh is the token Refresh gave after a 401; it is used from then on.
	fresh string
	// resume is the last run's token, when Resume was given one holding
	// the groups; affected then names the users whose memberships the
	// groups' delta changed, once the groups were read from it.
	resume   *token
	affected map[string]bool
	// groupsResync says why the groups were read in full although the
	// reader was resumed (Graph no longer knew the link).
	groupsResync string
}

type group struct {
	name    string
	members map[string]string // member id → @odata.type
}

var (
	_ directory.Reader         = (*Reader)(nil)
	_ directory.ChangeReader   = (*Reader)(nil)
	_ directory.TokenAfterRead = (*Reader)(nil)
)

// New returns a reader; it makes no request.
func New(cfg Config) *Reader {
	cfg.GraphURL = strings.TrimRight(cfg.GraphURL, "/")
	return &Reader{cfg: cfg}
}

// Close releases nothing: Graph is stateless HTTP.
func (r *Reader) Close() error { return nil }

// token is the change token: the whole deltaLinks of the users and, when
// groups were read, the groups.
type token struct {
	Users  string `json:"users"`
	Groups string `json:"groups,omitempty"`
	// Graph is the groups as they stood at the Groups link, so that the
	// next run need only apply the groups' delta.
	Graph map[string]savedGroup `json:"graph,omitempty"`
}

// ChangeToken returns nothing useful: Graph gives a delta link only at the
// end of a read, which TokenAfterRead returns.
func (r *Reader) ChangeToken(ctx context.Context, q directory.Query) (string, error) {
	return "", ctx.Err()
}

// TokenAfterRead returns the delta links of the users read and, when the
// run read groups, of the groups, once a read ended with one.
func (r *Reader) TokenAfterRead() (string, bool) {
	if r.usersLink == "" {
		return "", false
	}
	tok := token{Users: r.usersLink, Groups: r.groupsLink}
	if r.groupsLink != "" && r.groups != nil {
		tok.Graph = saveGroups(r.groups)
	}
	b, _ := json.Marshal(tok)
	return string(b), true
}

// selectFor builds $select from the query's attributes: what the mappings
// and rules read, and what usersync needs of every user.
func selectFor(attrs []string) string {
	seen := map[string]bool{}
	var out []string
	for _, a := range append([]string{"id", "userPrincipalName", "accountEnabled", "userType", "displayName"}, attrs...) {
		p, ok := graphName(a)
		if !ok || seen[strings.ToLower(p)] {
			continue
		}
		seen[strings.ToLower(p)] = true
		out = append(out, p)
	}
	return strings.Join(out, ",")
}

func (r *Reader) deltaURL(kind, sel string) string {
	return r.cfg.GraphURL + "/v1.0/" + kind + "/delta?$select=" + url.QueryEscape(sel)
}

// Search reads every user (or, for BaseDN "groups", every group with its
// members) and calls fn for each, returning nil only when every page was
// read. Users are passed on page by page; groups only once all pages are
// read, since Graph may split a group's members over several pages.
func (r *Reader) Search(ctx context.Context, q directory.Query, fn func(*directory.Entry) error) error {
	if strings.EqualFold(q.BaseDN, GroupsBase) {
		return r.readGroups(ctx, fn)
	}
	r.usersLink = ""
	mgr := wantsManager(q.Attributes)
	// Graph may send an object more than once in a round
	// (delta-query-overview); the engine takes one entry per user, and
	// the first is kept here: entries stream on, so a later copy cannot
	// replace it, and the next round reports any change again.
	seen := map[string]bool{}
	link, err := r.pages(ctx, r.deltaURL("users", selectFor(q.Attributes)), func(o object) error {
		if o.removed != "" || seen[o.id] {
			return nil
		}
		seen[o.id] = true
		if mgr {
			r.remember(o)
			if err := r.resolveManager(ctx, o, false); err != nil {
				return err
			}
		}
		if !r.wanted(o.entry) {
			return nil
		}
		return fn(o.entry)
	})
	if err != nil {
		return err
	}
	r.usersLink = link
	return nil
}

// wanted says whether a present user is read: guests only when included,
// and only users the connection's filter accepts.
func (r *Reader) wanted(e *directory.Entry) bool {
	if !r.cfg.IncludeGuests && strings.EqualFold(e.Get("userType"), "Guest") {
		return false
	}
	return r.cfg.Match == nil || r.cfg.Match(e)
}

// pages follows @odata.nextLink from link until a page carries the
// @odata.deltaLink, which it returns; fn sees every object in order.
func (r *Reader) pages(ctx context.Context, link string, fn func(object) error) (string, error) {
	for n := 1; ; n++ {
		var p page
		if err := r.get(ctx, link, &p); err != nil {
			if n > 1 {
				return "", fmt.Errorf("%w (page %d of a delta read)", err, n)
			}
			return "", err
		}
		for _, raw := range p.Value {
			o, err := decode(raw)
			if err != nil {
				return "", err
			}
			if err := fn(o); err != nil {
				return "", err
			}
		}
		switch {
		case p.NextLink != "" && !sameOrigin(p.NextLink, r.cfg.GraphURL):
			return "", fmt.Errorf("%w: @odata.nextLink points at %s, not at %s: refusing to send the access token there", ErrGraph, redact(p.NextLink), r.cfg.GraphURL)
		case p.NextLink != "":
			link = p.NextLink
		case p.DeltaLink != "":
			return p.DeltaLink, nil
		default:
			return "", fmt.Errorf("%w: a delta page carried neither @odata.nextLink nor @odata.deltaLink, so the read cannot be known complete", ErrGraph)
		}
	}
}

// readGroups reads every group with its members, merging a group that
// appears on several pages, and passes them on once all are read: as
// entries named by id, with cn (the displayName, which the group rules
// match) and member (the members' ids).
func (r *Reader) readGroups(ctx context.Context, fn func(*directory.Entry) error) error {
	r.affected = nil
	if r.resume != nil {
		groups, link, affected, ok, err := r.groupsFromDelta(ctx)
		if err != nil {
			return err
		}
		if ok {
			r.groups, r.groupsLink, r.affected = groups, link, affected
			return r.passGroups(groups, fn)
		}
	}
	groups := map[string]*group{}
	link, err := r.pages(ctx, r.deltaURL("groups", "displayName,members"), func(o object) error {
		if o.removed != "" {
			delete(groups, o.id)
			return nil
		}
		mergeGroup(groups, o)
		return nil
	})
	if err != nil {
		return err
	}
	r.groups, r.groupsLink = groups, link
	return r.passGroups(groups, fn)
}

// passGroups calls fn for every group, in the order of their ids.
func (r *Reader) passGroups(groups map[string]*group, fn func(*directory.Entry) error) error {
	ids := make([]string, 0, len(groups))
	for id := range groups {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if err := fn(groups[id].entry(id)); err != nil {
			return err
		}
	}
	return nil
}

func mergeGroup(groups map[string]*group, o object) {
	g := groups[o.id]
	if g == nil {
		g = &group{members: map[string]string{}}
		groups[o.id] = g
	}
	if n := o.entry.Get("displayName"); n != "" {
		g.name = n
	}
	for _, m := range o.members {
		if m.removed {
			delete(g.members, m.id)
		} else {
			g.members[m.id] = m.typ
		}
	}
}

func (g *group) entry(id string) *directory.Entry {
	members := make([]string, 0, len(g.members))
	for m := range g.members {
		members = append(members, m)
	}
	sort.Strings(members)
	return &directory.Entry{DN: id, Attrs: map[string][]string{
		"id": {id}, "objectid": {id}, "cn": {g.name}, "displayname": {g.name}, "member": members}}
}

// maxAffectedReads bounds the users an incremental read fetches one by one
// because their memberships changed: past it, one full read of the users'
// delta (999 to a page) costs fewer requests.
const maxAffectedReads = 2000

// errResync wraps directory.ErrTokenExpired with why a full read is needed.
func errResync(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), directory.ErrTokenExpired)
}

// ReadChanges reads what changed since a token TokenAfterRead returned.
// When the token holds a groups link and this reader has read the groups
// in this run (the group rules did), the users whose memberships changed
// are read again as changed too, since a membership change does not
// appear in the users' delta. When the group read applied the groups'
// delta to the groups the token kept (Resume), the users it found affected
// are those; otherwise the groups' delta is read here, and a deleted group,
// or a change of a nested group, calls for a full read. So many affected
// users that reading them one by one would cost more than reading
// everyone also calls for a full read.
func (r *Reader) ReadChanges(ctx context.Context, q directory.Query, since string, fn func(directory.Change) error) error {
	var tok token
	if err := json.Unmarshal([]byte(since), &tok); err != nil || tok.Users == "" {
		return errResync("the saved change token is not a Graph delta link")
	}
	if !sameOrigin(tok.Users, r.cfg.GraphURL) || (tok.Groups != "" && !sameOrigin(tok.Groups, r.cfg.GraphURL)) {
		return errResync("the saved delta link belongs to another Graph endpoint")
	}
	affected := map[string]bool{}
	switch {
	case tok.Groups != "" && r.groupsResync != "":
		return errResync("%s", r.groupsResync)
	case tok.Groups != "" && r.affected != nil && r.resume != nil && r.resume.Groups == tok.Groups:
		// The group read this run applied the groups' delta since this
		// very token: its affected users are the membership changes.
		affected = r.affected
	case tok.Groups != "" && r.groups != nil:
		if err := r.groupChanges(ctx, tok.Groups, affected); err != nil {
			return err
		}
	}
	if len(affected) > maxAffectedReads {
		return errResync("the group memberships of %d users changed, more than reading them one by one is worth", len(affected))
	}
	r.usersLink = ""
	mgr := wantsManager(q.Attributes)
	// The changes are gathered before they are passed on: Graph may send
	// an object several times in a round, and the last copy is its state.
	latest := map[string]object{}
	var order []string
	link, err := r.pages(ctx, tok.Users, func(o object) error {
		if _, dup := latest[o.id]; !dup {
			order = append(order, o.id)
		}
		latest[o.id] = o
		return nil
	})
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.tokenExpired() {
			return errResync("Graph no longer knows the saved delta link (%s)", ae.Error())
		}
		return err
	}
	seen := make(map[string]bool, len(order))
	for _, uid := range order {
		o := latest[uid]
		seen[uid] = true
		id := &directory.Entry{DN: o.id, Attrs: map[string][]string{"id": {o.id}, "objectid": {o.id}}}
		var ch directory.Change
		switch {
		case o.removed == "changed":
			ch = directory.Change{Kind: directory.SoftDeleted, Entry: id}
		case o.removed != "":
			ch = directory.Change{Kind: directory.Deleted, Entry: id}
		case !r.wanted(o.entry):
			ch = directory.Change{Kind: directory.Left, Entry: id}
		default:
			if mgr {
				r.remember(o)
				if err := r.resolveManager(ctx, o, true); err != nil {
					return err
				}
			}
			ch = directory.Change{Kind: directory.Changed, Entry: o.entry}
		}
		if err := fn(ch); err != nil {
			return err
		}
	}
	// Users whose memberships changed but whose entries did not: read each
	// again, as it is now.
	ids := make([]string, 0, len(affected))
	for id := range affected {
		if !seen[id] {
			ids = append(ids, id)
		}
	}

	sort.Strings(ids)
	sel := selectFor(q.Attributes)
	for _, id := range ids {
		var raw json.RawMessage
		err := r.get(ctx, r.cfg.GraphURL+"/v1.0/users/"+url.PathEscape(id)+"?$select="+url.QueryEscape(sel), &raw)
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == 404 {
			continue // deleted meanwhile: the next delta says so
		}
		if err != nil {
			return err
		}
		o, err := decode(raw)
		if err != nil {
			return err
		}
		if mgr {
			r.remember(o)
			if err := r.resolveManager(ctx, o, true); err != nil {
				return err
			}
		}
		ch := directory.Change{Kind: directory.Changed, Entry: o.entry}
		if !r.wanted(o.entry) {
			ch = directory.Change{Kind: directory.Left, Entry: &directory.Entry{DN: id, Attrs: map[string][]string{"id": {id}, "objectid": {id}}}}
		}
		if err := fn(ch); err != nil {
			return err
		}
	}
	r.usersLink = link
	return nil
}

// groupChanges reads the groups' delta and adds to affected every user
// whose memberships it changes.
func (r *Reader) groupChanges(ctx context.Context, link string, affected map[string]bool) error {
	_, err := r.pages(ctx, link, func(o object) error {
		if o.removed != "" {
			return errResync("group %s was deleted, so its former members' groups must be worked out again", o.id)
		}
		old := r.groups[o.id]
		if n := o.entry.Get("displayName"); old != nil && n != "" && n != old.name {
			for m := range old.members { // renamed: every member's rules change
				affected[m] = true
			}
		}
		for _, m := range o.members {
			if strings.Contains(strings.ToLower(m.typ), "group") {
				return errResync("the members of group %s include a changed group, so nested memberships must be worked out again", o.id)
			}
			affected[m.id] = true
		}
		return nil
	})
	var ae *APIError
	if errors.As(err, &ae) && ae.tokenExpired() {
		return errResync("Graph no longer knows the saved groups delta link (%s)", ae.Error())
	}
	return err
}

// sameOrigin says whether a saved link points at the configured Graph: a
// token is only ever sent back to the endpoint that issued it.
func sameOrigin(link, base string) bool {
	a, err1 := url.Parse(link)
	b, err2 := url.Parse(base)
	return err1 == nil && err2 == nil && strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host)
}

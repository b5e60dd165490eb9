package scimpush

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/store"
)

// Store is what a push reads and writes in usersync's store.
type Store interface {
	ListEvents(ctx context.Context, after int64, limit int) ([]store.Event, error)
	LastEventSeq(ctx context.Context) (int64, error)
	ChangeToken(ctx context.Context, name string) (string, error)
	Apply(ctx context.Context, b store.Batch) error
	GetUser(ctx context.Context, id int64) (store.User, error)
	ListUsers(ctx context.Context, q store.UserQuery) ([]store.User, error)
	UserMemberships(ctx context.Context, userRowID int64) ([]store.Membership, error)
	CountUsers(ctx context.Context, status string) (int, error)
}

// Pusher pushes usersync's users and group memberships to one SCIM
// target. Its position in the change feed is the target connection's
// change token, saved by store.Apply in the transaction that records the
// outcomes of the events up to it: a crash before that transaction pushes
// those events again (at least once), never skips them.
type Pusher struct {
	Target string
	Client *Client
	Map    *AttrMap
	// Match is the attribute an existing user is found by before one is
	// created (connection.MatchUserName, MatchExternalID or MatchEmails).
	Match string
	// Connections limits the pushed users to these source connections;
	// empty pushes every user.
	Connections []string
	Guard       connection.DeletionGuard
	Store       Store
	// PageSize is how many events one transaction covers (default 200).
	PageSize int

	groups map[string]string
}

// Result is what one push run did.
type Result struct {
	store.Counts
	// Position is the last event sequence number pushed.
	Position int64
	// Held is set when the deletion guard stopped the run.
	Held bool
}

// ErrHeld is returned when the deletion guard holds a push back.
var ErrHeld = errors.New("scimpush: held by the deletion guard")

// Position is the last event sequence number pushed to the target.
func (p *Pusher) Position(ctx context.Context) (int64, error) {
	tok, err := p.Store.ChangeToken(ctx, p.Target)
	if err != nil || tok == "" {
		return 0, err
	}
	n, err := strconv.ParseInt(tok, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("scimpush: target %q: position %q: %w", p.Target, tok, err)
	}
	return n, nil
}

func (p *Pusher) inScope(u *store.User) bool {
	if u == nil {
		return false
	}
	if len(p.Connections) == 0 {
		return true
	}
	for _, c := range p.Connections {
		if c == u.Connection {
			return true
		}
	}
	return false
}

// Incremental pushes the events after the saved position, page by page.
// When a target stops answering, the events pushed before are saved and the
// error returned; the failed event is pushed again by the next run. When
// approved is false and a page would deactivate or delete more users than
// the deletion guard allows, nothing of that page is pushed and ErrHeld is
// returned with the held users as pending outcomes.
func (p *Pusher) Incremental(ctx context.Context, runID int64, approved bool) (Result, error) {
	var res Result
	pos, err := p.Position(ctx)
	if err != nil {
		return res, err
	}
	res.Position = pos
	size := p.PageSize
	if size <= 0 {
		size = 200
	}
	for {
		evs, err := p.Store.ListEvents(ctx, res.Position, size)
		if err != nil {
			return res, fmt.Errorf("scimpush: read the change feed after %d: %w", res.Position, err)
		}
		if len(evs) == 0 {
			return res, nil
		}
		if !approved {
			if held, err := p.hold(ctx, runID, evs, &res); err != nil || held {
				return res, err
			}
		}
		var outs []store.Outcome
		last := res.Position
		var failure error
		for _, e := range evs {
			o, err := p.apply(ctx, e, &res.Counts)
			if err != nil && (stopsRun(err) || ctx.Err() != nil) {
				failure = err
				break
			}
			if o != nil {
				o.RunID = runID
				outs = append(outs, *o)
			}
			last = e.Seq
		}
		if last != res.Position || len(outs) > 0 {
			tok := strconv.FormatInt(last, 10)
			if err := p.Store.Apply(context.WithoutCancel(ctx), store.Batch{RunID: runID, Connection: p.Target, Outcomes: outs, Token: &tok}); err != nil {
				return res, fmt.Errorf("scimpush: save the position %d: %w", last, err)
			}
			res.Position = last
		}
		if failure != nil {
			return res, failure
		}
	}
}

// leaving reports whether an event takes a pushed user away.
func (p *Pusher) leaving(e store.Event) bool {
	return (e.Kind == store.EventUserDeactivated || e.Kind == store.EventUserDeleted) && p.inScope(e.User)
}

// hold applies the deletion guard to one page of events.
func (p *Pusher) hold(ctx context.Context, runID int64, evs []store.Event, res *Result) (bool, error) {
	n := 0
	for _, e := range evs {
		if p.leaving(e) {
			n++
		}
	}
	if n == 0 {
		return false, nil
	}
	active, err := p.Store.CountUsers(ctx, store.StatusActive)
	if err != nil {
		return false, fmt.Errorf("scimpush: count active users: %w", err)
	}
	if !p.Guard.Trips(n, active+n) {
		return false, nil
	}
	var outs []store.Outcome
	for _, e := range evs {
		if !p.leaving(e) {
			continue
		}
		action := store.ActionPendingDeactivation
		if e.Kind == store.EventUserDeleted {
			action = store.ActionPendingDeletion
		}
		outs = append(outs, store.Outcome{RunID: runID, ExternalID: e.User.ExternalID, UserID: e.User.UserID, Action: action,
			Reason: fmt.Sprintf("held by the deletion guard: %d users would leave %s", n, p.Target)})
	}
	res.PendingDeactivations = len(outs)
	res.Held = true
	if err := p.Store.Apply(ctx, store.Batch{RunID: runID, Connection: p.Target, Outcomes: outs}); err != nil {
		return true, fmt.Errorf("scimpush: record held users: %w", err)
	}
	return true, ErrHeld
}

// apply pushes one event and says what it did; a nil outcome means the
// event did not concern the target or changed nothing there.
func (p *Pusher) apply(ctx context.Context, e store.Event, c *store.Counts) (*store.Outcome, error) {
	switch e.Kind {
	case store.EventMembershipAdded, store.EventMembershipRemoved:
		if e.Membership == nil || e.Membership.Kind != store.KindGroup {
			return nil, nil
		}
		u, err := p.Store.GetUser(ctx, e.UserRowID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		} else if err != nil {
			return nil, fmt.Errorf("scimpush: read user %d: %w", e.UserRowID, err)
		}
		if !p.inScope(&u) {
			return nil, nil
		}
		return p.membership(ctx, u, e.Membership.Name, e.Kind == store.EventMembershipAdded, c)
	case store.EventUserDeleted:
		if !p.inScope(e.User) {
			return nil, nil
		}
		return p.deleteUser(ctx, *e.User, c)
	default:
		if !p.inScope(e.User) {
			return nil, nil
		}
		return p.upsertUser(ctx, *e.User, c)
	}
}

func outcome(u store.User, action, reason string) *store.Outcome {
	return &store.Outcome{UserRowID: u.ID, ExternalID: u.ExternalID, UserID: u.UserID, Action: action, Reason: reason}
}

// stopsRun reports whether err is about the target rather than one user:
// a target that is down or refuses usersync's credential fails the run, and
// the event is pushed again by the next one.
func stopsRun(err error) bool {
	return errors.Is(err, ErrUnavailable) || errors.Is(err, ErrUnauthorized)
}

func (p *Pusher) failed(u store.User, c *store.Counts, err error) (*store.Outcome, error) {
	if stopsRun(err) {
		return nil, err
	}
	c.Failed++
	return outcome(u, store.ActionFailed, err.Error()), nil
}

// findUser finds u's resource on the target: by the externalId usersync
// gives its users, then by the match attribute, so that a user the
// application already had is taken over rather than duplicated.
func (p *Pusher) findUser(ctx context.Context, values map[string]string) (Resource, error) {
	// The emails filter is the value-path form of RFC 7644 section
	// 3.4.2.2, which every filtering provider must take for a
	// multi-valued attribute; "emails.value eq" is not served everywhere.
	type key struct{ attr, value, filter string }
	keys := []key{{attr: "externalId", value: values["externalId"]}}
	switch p.Match {
	case connection.MatchEmails:
		v := values[`emails[type eq "work"].value`]
		keys = append(keys, key{attr: "emails", value: v, filter: "emails[value eq " + escapeFilterValue(v) + "]"})
	case connection.MatchExternalID:
	default:
		keys = append(keys, key{attr: "userName", value: values["userName"]})
	}
	for _, k := range keys {
		if k.value == "" {
			continue
		}
		if k.filter == "" {
			k.filter = k.attr + " eq " + escapeFilterValue(k.value)
		}
		found, err := p.Client.FindFilter(ctx, "/Users", k.filter)
		if err != nil {
			return nil, err
		}
		switch len(found) {
		case 0:
		case 1:
			return found[0], nil
		default:
			return nil, fmt.Errorf("scimpush: %d users on the target have %s %q: resolve the duplicates there", len(found), k.attr, k.value)
		}
	}
	return nil, nil
}

func (p *Pusher) upsertUser(ctx context.Context, u store.User, c *store.Counts) (*store.Outcome, error) {
	values, err := p.Map.Values(u)
	if err != nil {
		return p.failed(u, c, err)
	}
	active := u.Status == store.StatusActive
	cur, err := p.findUser(ctx, values)
	if err != nil {
		return p.failed(u, c, err)
	}
	if cur == nil {
		if !active {
			c.Skipped++
			return nil, nil
		}
		if _, err := p.Client.Create(ctx, "/Users", NewUser(values, true)); err != nil {
			return p.failed(u, c, err)
		}
		c.Created++
		return outcome(u, store.ActionCreated, "created on "+p.Target), nil
	}
	ops := Diff(cur, values, active)
	if len(ops) == 0 {
		c.Unchanged++
		return nil, nil
	}
	if err := p.Client.Patch(ctx, "/Users", cur.ID(), ops); err != nil {
		return p.failed(u, c, err)
	}
	o := outcome(u, store.ActionUpdated, "patched on "+p.Target)
	for _, op := range ops {
		o.Changes = append(o.Changes, store.FieldChange{Field: op.Path, New: fmt.Sprint(op.Value)})
		if op.Path == "active" && op.Value == false {
			o.Action = store.ActionDeactivated
		}
	}
	if o.Action == store.ActionDeactivated {
		c.Deactivated++
	} else {
		c.Updated++
	}
	return o, nil
}

func (p *Pusher) deleteUser(ctx context.Context, u store.User, c *store.Counts) (*store.Outcome, error) {
	values, err := p.Map.Values(u)
	if err != nil {
		return p.failed(u, c, err)
	}
	cur, err := p.findUser(ctx, values)
	if err != nil {
		return p.failed(u, c, err)
	}
	if cur == nil {
		c.Skipped++
		return nil, nil
	}
	if err := p.Client.Delete(ctx, "/Users", cur.ID()); err != nil && !errors.Is(err, ErrNotFound) {
		return p.failed(u, c, err)
	}
	c.Deleted++
	u.ID = 0 // the row is gone; the outcome keeps its names
	return outcome(u, store.ActionDeleted, "deleted on "+p.Target), nil
}

// groupID returns the target's id of the group named name, creating the
// group when create is set.
func (p *Pusher) groupID(ctx context.Context, name string, create bool) (string, error) {
	if id, ok := p.groups[name]; ok {
		return id, nil
	}
	found, err := p.Client.Find(ctx, "/Groups", "displayName", name)
	if err != nil {
		return "", err
	}
	var id string
	switch {
	case len(found) > 0:
		id = found[0].ID()
	case !create:
		return "", nil
	default:
		r, err := p.Client.Create(ctx, "/Groups", Resource{"schemas": []string{SchemaGroup}, "displayName": name})
		if err != nil {
			return "", err
		}
		id = r.ID()
	}
	if p.groups == nil {
		p.groups = map[string]string{}
	}
	p.groups[name] = id
	return id, nil
}

func (p *Pusher) membership(ctx context.Context, u store.User, group string, add bool, c *store.Counts) (*store.Outcome, error) {
	values, err := p.Map.Values(u)
	if err != nil {
		return p.failed(u, c, err)
	}
	cur, err := p.findUser(ctx, values)
	if err != nil {
		return p.failed(u, c, err)
	}
	if cur == nil {
		c.Skipped++
		return nil, nil
	}
	gid, err := p.groupID(ctx, group, add)
	if err != nil {
		return p.failed(u, c, err)
	}
	if gid == "" {
		return nil, nil
	}
	op := Op{Op: "add", Path: "members", Value: []map[string]string{{"value": cur.ID()}}}
	ch := store.FieldChange{Field: "groups", New: group}
	if !add {
		op = Op{Op: "remove", Path: fmt.Sprintf("members[value eq %s]", escapeFilterValue(cur.ID()))}
		ch = store.FieldChange{Field: "groups", Old: group}
	}
	if err := p.Client.Patch(ctx, "/Groups", gid, []Op{op}); err != nil {
		return p.failed(u, c, err)
	}
	c.MembershipChanges++
	o := outcome(u, store.ActionUpdated, "group membership on "+p.Target)
	o.Changes = []store.FieldChange{ch}
	return o, nil
}

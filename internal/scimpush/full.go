package scimpush

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/usersync/usersync/internal/store"
)

// Full compares the target's users with the store and fixes every
// difference: each user in scope is created or patched, its group
// memberships added, and a target user carrying an externalId that no
// pushed user holds any more is deactivated (the deletion guard counts
// those). Users without an externalId are the application's own and are
// left alone. The position moves to the last event before the reconcile
// began, so that changes made while it ran are pushed again, never lost.
func (p *Pusher) Full(ctx context.Context, runID int64, approved bool) (Result, error) {
	var res Result
	start, err := p.Store.LastEventSeq(ctx)
	if err != nil {
		return res, fmt.Errorf("scimpush: read the change feed: %w", err)
	}
	users, err := p.Store.ListUsers(ctx, store.UserQuery{})
	if err != nil {
		return res, fmt.Errorf("scimpush: list users: %w", err)
	}
	ours := map[string]bool{}
	var outs []store.Outcome
	flush := func() error {
		if len(outs) == 0 {
			return nil
		}
		err := p.Store.Apply(context.WithoutCancel(ctx), store.Batch{RunID: runID, Connection: p.Target, Outcomes: outs})
		outs = outs[:0]
		return err
	}
	keep := func(o *store.Outcome) error {
		if o == nil {
			return nil
		}
		o.RunID = runID
		outs = append(outs, *o)
		if len(outs) >= 200 {
			return flush()
		}
		return nil
	}
	for _, u := range users {
		if !p.inScope(&u) {
			continue
		}
		res.EntriesRead++
		values, err := p.Map.Values(u)
		if err == nil && u.Status == store.StatusActive && values["externalId"] != "" {
			ours[values["externalId"]] = true
		}
		o, err := p.upsertUser(ctx, u, &res.Counts)
		if err != nil {
			return res, errors.Join(err, flush())
		}
		if err := keep(o); err != nil {
			return res, err
		}
		if u.Status != store.StatusActive {
			continue
		}
		ms, err := p.Store.UserMemberships(ctx, u.ID)
		if err != nil {
			return res, fmt.Errorf("scimpush: memberships of %s: %w", u.UserID, err)
		}
		for _, m := range ms {
			if m.Kind != store.KindGroup {
				continue
			}
			o, err := p.ensureMember(ctx, u, m.Name, &res.Counts)
			if err != nil {
				return res, errors.Join(err, flush())
			}
			if err := keep(o); err != nil {
				return res, err
			}
		}
	}
	var strays []Resource
	err = p.Client.Each(ctx, "/Users", func(r Resource) error {
		ext, _ := r["externalId"].(string)
		if ext != "" && !ours[ext] && r.Active() {
			strays = append(strays, r)
		}
		return nil
	})
	if err != nil {
		return res, errors.Join(err, flush())
	}
	if !approved && p.Guard.Trips(len(strays), len(ours)+len(strays)) {
		for _, r := range strays {
			name, _ := r["userName"].(string)
			ext, _ := r["externalId"].(string)
			outs = append(outs, store.Outcome{RunID: runID, ExternalID: ext, UserID: name, Action: store.ActionPendingDeactivation,
				Reason: fmt.Sprintf("held by the deletion guard: %d users on %s are no longer pushed", len(strays), p.Target)})
		}
		res.PendingDeactivations = len(strays)
		res.Held = true
		return res, errors.Join(ErrHeld, flush())
	}
	for _, r := range strays {
		name, _ := r["userName"].(string)
		ext, _ := r["externalId"].(string)
		u := store.User{ExternalID: ext, UserID: name}
		if err := p.Client.Patch(ctx, "/Users", r.ID(), []Op{{Op: "replace", Path: "active", Value: false}}); err != nil {
			o, err := p.failed(u, &res.Counts, err)
			if err != nil {
				return res, errors.Join(err, flush())
			}
			if err := keep(o); err != nil {
				return res, err
			}
			continue
		}
		res.Deactivated++
		if err := keep(outcome(u, store.ActionDeactivated, "no longer pushed to "+p.Target)); err != nil {
			return res, err
		}
	}
	if err := flush(); err != nil {
		return res, err
	}
	pos, err := p.Position(ctx)
	if err != nil {
		return res, err
	}
	res.Position = pos
	if start > pos {
		tok := strconv.FormatInt(start, 10)
		if err := p.Store.Apply(context.WithoutCancel(ctx), store.Batch{RunID: runID, Connection: p.Target, Token: &tok}); err != nil {
			return res, fmt.Errorf("scimpush: save the position %d: %w", start, err)
		}
		res.Position = start
	}
	return res, nil
}

// ensureMember adds u to the group on the target unless it is a member
// already.
func (p *Pusher) ensureMember(ctx context.Context, u store.User, group string, c *store.Counts) (*store.Outcome, error) {
	found, err := p.Client.Find(ctx, "/Groups", "displayName", group)
	if err != nil {
		return p.failed(u, c, err)
	}
	values, err := p.Map.Values(u)
	if err != nil {
		return p.failed(u, c, err)
	}
	cur, err := p.findUser(ctx, values)
	if err != nil || cur == nil {
		if err != nil {
			return p.failed(u, c, err)
		}
		return nil, nil
	}
	if len(found) == 1 {
		members, _ := found[0]["members"].([]any)
		for _, m := range members {
			if mm, ok := m.(map[string]any); ok && mm["value"] == cur.ID() {
				return nil, nil
			}
		}
	}
	return p.membership(ctx, u, group, true, c)
}

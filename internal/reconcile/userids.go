package reconcile

import (
	"context"
	"fmt"
	"strings"

	"github.com/usersync/usersync/internal/store"
)

// maxUserIDWarnings caps the run warnings about taken userIds; every
// refused user still has its failed outcome.
const maxUserIDWarnings = 20

// userIDClaims remembers, for one run, which userIds the run gave to users
// who did not hold them in the store, so that two entries planned in the
// same run (or the same batch) never both get one. Like the index it holds
// no pointer per user: the strings sit in extTable arenas, one slot a claim.
// A first sync of a large directory claims a userId for every user, so the
// claims keep only what the run does not already hold: a new user's
// external id is found in the run's set of created ids, and the userId as
// given is kept only where it differs from its key (in case, say).
type userIDClaims struct {
	ids  extTable // userId keys (store.UserIDKey); the slot numbers the claim
	orig extTable // the userId as claimed, by slot; "" when it is its key
	// created is the planner's set of the external ids this run created;
	// ext holds, by slot, the claimant's slot in it (noClaimExt for an
	// update), or -2-i for the i-th of otherExts, the ids of new users not
	// found there.
	created   *extSet
	ext       []int32
	otherExts []string
	rows      []int64 // the claimant's row id (0 for a create), by slot
	inited    bool
	// refused counts users refused because their userId was taken.
	refused int
}

// noClaimExt marks a claim made by an existing user, which has no
// external id in the claims.
const noClaimExt = -1

// checkUserIDs enforces that two active users never share a userId,
// compared case-insensitively, across connections and sources. It runs on
// the batch about to be sent: a create or an update that would give an
// active user a userId that another active user holds (in the store, or
// given earlier in this run) is taken out of the batch and becomes a failed
// outcome naming the holder, and the run gets a warning. Users who leave in
// the same batch free their userIds first, as the store applies them first.
func (p *planner) checkUserIDs(ctx context.Context) error {
	c := &p.claims
	if !c.inited {
		c.inited = true
		c.ids, c.orig, c.created = newExtTable(), newExtTable(), p.created
		if err := p.reportDuplicates(ctx); err != nil {
			return err
		}
	}
	b := &p.batch
	var wanted []string
	for _, u := range b.Updates {
		if u.Status == store.StatusActive {
			wanted = append(wanted, u.UserID)
		}
	}
	for _, u := range b.Creates {
		if u.Status == store.StatusActive {
			wanted = append(wanted, u.UserID)
		}
	}
	if len(wanted) == 0 {
		return nil
	}
	holders, err := p.users.FindActiveUsers(ctx, wanted)
	if err != nil {
		return fmt.Errorf("reconcile: check userIds: %w", err)
	}
	leaving := leavingRows(b)
	held := map[string][]store.User{}
	for _, h := range holders {
		if !leaving[h.ID] {
			k := store.UserIDKey(h.UserID)
			held[k] = append(held[k], h)
		}
	}
	// Existing users keep their userIds before new users take any.
	updates := b.Updates[:0]
	for _, u := range b.Updates {
		if u.Status == store.StatusActive {
			if holder, ok := c.take(held, p.j.Conn.Name, u.UserID, u.ID, ""); !ok {
				p.refuse(u, holder)
				continue
			}
		}
		updates = append(updates, u)
	}
	b.Updates = updates
	creates := b.Creates[:0]
	for _, u := range b.Creates {
		if u.Status == store.StatusActive {
			if holder, ok := c.take(held, p.j.Conn.Name, u.UserID, 0, u.ExternalID); !ok {
				p.refuse(u, holder)
				continue
			}
		}
		creates = append(creates, u)
	}
	b.Creates = creates
	if c.refused > 0 && b.Token != nil && *b.Token != "" {
		// An incremental run reads only entries that changed, so it would
		// never try a refused user again, even once its userId is free:
		// saving no change token makes the next run full.
		none := ""
		b.Token = &none
		p.rep.Warnings = append(p.rep.Warnings, "the next run is full, so that the users refused for a taken userId are tried again")
	}
	return nil
}

// take claims userID for the user of connection conn with row id rowID (0
// for a new user with external id ext) and reports whether it was free;
// when not, it returns who holds it. A user who already holds its userId
// in the store keeps it.
func (c *userIDClaims) take(held map[string][]store.User, conn, userID string, rowID int64, ext string) (string, bool) {
	k := store.UserIDKey(userID)
	for _, h := range held[k] {
		if rowID != 0 && h.ID == rowID {
			// Already the holder (possibly one of the duplicates kept from
			// before userIds were unique): nothing changes hands, and a
			// later claim finds it in the store.
			return "", true
		}
	}
	if hs := held[k]; len(hs) > 0 {
		return store.Describe(hs[0]), false
	}
	slot, added := c.ids.add(k)
	if added {
		if userID == k {
			c.orig.push("")
		} else {
			c.orig.push(userID)
		}
		c.ext = append(c.ext, c.extSlot(ext))
		c.rows = append(c.rows, rowID)
		return "", true
	}
	if c.rows[slot] == rowID && c.sameExt(slot, ext) {
		return "", true
	}
	if r := c.rows[slot]; r != 0 {
		return fmt.Sprintf("user %q of connection %q (row %d, activated by this run)", c.userID(slot), conn, r), false
	}
	return fmt.Sprintf("user %q of connection %q (%s, created by this run)", c.userID(slot), conn, c.extOf(slot)), false
}

// extSlot returns how the claim of a user with external id ext refers to
// it.
func (c *userIDClaims) extSlot(ext string) int32 {
	if ext == "" {
		return noClaimExt
	}
	if c.created != nil {
		if s, ok := c.created.t.find(ext); ok {
			return s
		}
	}
	c.otherExts = append(c.otherExts, ext)
	return int32(-1 - len(c.otherExts))
}

// sameExt reports whether the claim in slot was made by the user with
// external id ext ("" for an existing user), without allocating.
func (c *userIDClaims) sameExt(slot int32, ext string) bool {
	switch e := c.ext[slot]; {
	case e == noClaimExt:
		return ext == ""
	case e >= 0:
		return string(c.created.t.bytes(e)) == ext
	default:
		return c.otherExts[-2-e] == ext
	}
}

// extOf returns the external id of the claimant in slot.
func (c *userIDClaims) extOf(slot int32) string {
	switch e := c.ext[slot]; {
	case e == noClaimExt:
		return ""
	case e >= 0:
		return c.created.t.str(e)
	default:
		return c.otherExts[-2-e]
	}
}

// userID returns the userId the claim in slot was made with.
func (c *userIDClaims) userID(slot int32) string {
	if o := c.orig.bytes(slot); len(o) > 0 {
		return string(o)
	}
	return c.ids.str(slot)
}

// leavingRows returns the row ids of users the batch makes inactive,
// deletes or retires, or renames: their userIds are free for the others.
func leavingRows(b *store.Batch) map[int64]bool {
	out := map[int64]bool{}
	for _, id := range b.Deactivate {
		out[id] = true
	}
	for _, id := range b.Delete {
		out[id] = true
	}
	for _, r := range b.Retire {
		out[r.ID] = true
	}
	for _, u := range b.Updates {
		if u.Status != store.StatusActive {
			out[u.ID] = true
		}
	}
	return out
}

// refuse turns the planned write of u into a failed outcome naming the
// holder of its userId, and fixes the run's counts.
func (p *planner) refuse(u store.User, holder string) {
	reason := fmt.Sprintf("userId %q is already held by %s; two active users never share a userId", u.UserID, holder)
	for i := range p.batch.Outcomes {
		o := &p.batch.Outcomes[i]
		mine := (u.ID != 0 && o.UserRowID == u.ID) || (u.ID == 0 && o.UserRowID == 0 && o.ExternalID == u.ExternalID && o.Action == store.ActionCreated)
		if !mine || o.Action == store.ActionFailed {
			continue
		}
		switch o.Action {
		case store.ActionCreated:
			p.rep.Created--
		case store.ActionUpdated:
			p.rep.Updated--
		}
		if r := p.ix.lookup(o.ExternalID); u.ID != 0 && r != nil && r.id == u.ID {
			// The stored user does not change: forget the planned hash and
			// activation, so that the rest of the run sees it as stored.
			r.hash = 0
			for _, ch := range o.Changes {
				if ch.Field == "status" && ch.New == store.StatusActive && r.active {
					r.active = false
					p.ix.active--
				}
			}
		}
		o.Action, o.Reason, o.Changes = store.ActionFailed, reason, nil
		p.rep.Failed++
		break
	}
	p.claims.refused++
	switch {
	case p.claims.refused <= maxUserIDWarnings:
		p.rep.Warnings = append(p.rep.Warnings, reason)
	case p.claims.refused == maxUserIDWarnings+1:
		p.rep.Warnings = append(p.rep.Warnings, "more users were refused because their userId was taken; see the failed outcomes")
	}
}

// reportDuplicates warns once per run about active users of this
// connection that share their userId with another active user: only users
// stored before userIds were unique can, and they stay until renamed or
// deactivated.
func (p *planner) reportDuplicates(ctx context.Context) error {
	dups, err := p.users.DuplicateUserIDs(ctx)
	if err != nil {
		return fmt.Errorf("reconcile: duplicate userIds: %w", err)
	}
	groups := map[string][]string{}
	var order []string
	mine := map[string]bool{}
	for _, u := range dups {
		k := store.UserIDKey(u.UserID)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], store.Describe(u))
		if u.Source == store.SourceDirectory && u.Connection == p.j.Conn.Name {
			mine[k] = true
		}
	}
	for _, k := range order {
		if mine[k] {
			p.rep.Warnings = append(p.rep.Warnings, fmt.Sprintf("userId %q is shared by %d active users (kept from before userIds were unique; rename or deactivate all but one): %s",
				k, len(groups[k]), strings.Join(groups[k], "; ")))
		}
	}
	return nil
}

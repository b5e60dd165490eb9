package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// ActionConflict is the outcome of an undo that left a value alone because
// it changed after the undone run.
const ActionConflict = "conflict"

// manualSuffix marks a manual membership in a run's recorded changes.
const manualSuffix = " (manual)"

// Conflict is one value an undo left alone because it changed after the
// undone run: Before is its value before that run, After the value the run
// set, Now the value it has.
type Conflict struct {
	UserRowID int64  `json:"userRowId"`
	UserID    string `json:"userId"`
	Field     string `json:"field"`
	Before    string `json:"before"`
	After     string `json:"after"`
	Now       string `json:"now"`
}

func (c Conflict) String() string {
	return fmt.Sprintf("%s %s: before %q, after %q, now %q", c.UserID, c.Field, c.Before, c.After, c.Now)
}

// UndoPlan is what an undo writes: user changes, memberships and an
// outcome for each user, plus the conflicts it leaves alone.
type UndoPlan struct {
	Batch       store.Batch
	Memberships store.MembershipBatch
	Conflicts   []Conflict
	// Deactivate are the outcomes of the users the undo deactivates (those
	// the undone run created or activated); the deletion guard weighs them
	// before they join Batch (Guard).
	Deactivate []store.Outcome
	Counts     store.Counts
	// Active counts the connection's active users before the undo.
	Active int
	// heldUpdates are the updates of Deactivate, in the same order.
	heldUpdates []store.User
	// heldCur are the users of heldUpdates as they are now.
	heldCur []store.User
	// deletes are the outcomes of the users the undo deletes again (those
	// an undone undo restored).
	deletes  []store.Outcome
	entities map[string]int64
}

// UndoState is what an undo plan reads of the store.
type UndoState interface {
	GetUsers(ctx context.Context, ids []int64) ([]store.User, error)
	ScanIndex(ctx context.Context, conn string, fn func(store.IndexEntry) error) error
	UserMemberships(ctx context.Context, userRowID int64) ([]store.Membership, error)
	DeletedUser(ctx context.Context, runID, userRowID int64) (store.DeletedUser, error)
	ListEntities(ctx context.Context, kind string) ([]store.Entity, error)
	FindActiveUsers(ctx context.Context, userIDs []string) ([]store.User, error)
}

// ErrTooLate means a user the undone run deleted can no longer be
// restored: its record outlived the retention period.
var ErrTooLate = errors.New("too late to restore")

// userUndo is the plan for one user: the state it will have, and what
// the undo changes.
type userUndo struct {
	cur, next  store.User
	changes    []store.FieldChange
	keepHash   bool
	membership bool
	ext        string
}

// PlanUndo computes the undo of run from its outcomes, against the store
// as it is now. A value the run set that has changed since is a conflict
// and stays as it is. Deleted users are restored from the record their
// delete kept, unless it is older than retention.
func PlanUndo(ctx context.Context, st UndoState, run store.Run, outs []store.Outcome, retention time.Duration, now time.Time) (*UndoPlan, error) {
	plan := &UndoPlan{}
	byExt := map[string]int64{}
	if err := st.ScanIndex(ctx, run.Connection, func(e store.IndexEntry) error {
		byExt[e.ExternalID] = e.ID
		if e.Status == store.StatusActive {
			plan.Active++
		}
		return nil
	}); err != nil {
		return nil, err
	}
	var ids []int64
	for i, o := range outs {
		if o.UserRowID == 0 && o.Action == store.ActionCreated {
			outs[i].UserRowID = byExt[o.ExternalID]
		}
		if outs[i].UserRowID != 0 {
			ids = append(ids, outs[i].UserRowID)
		}
	}
	users, err := st.GetUsers(ctx, ids)
	if err != nil {
		return nil, err
	}
	state := make(map[int64]*userUndo, len(users))
	for _, u := range users {
		state[u.ID] = &userUndo{cur: u, next: cloneUser(u)}
	}
	var order []*userUndo
	for _, o := range outs {
		u := state[o.UserRowID]
		switch o.Action {
		case store.ActionDeleted:
			if err := plan.restore(ctx, st, run, o, byExt, retention, now); err != nil {
				return nil, err
			}
			continue
		case store.ActionCreated, store.ActionUpdated, store.ActionDeactivated:
		default:
			continue // skipped, failed, pending and conflict outcomes changed nothing
		}
		if u == nil {
			plan.conflict(Conflict{UserRowID: o.UserRowID, UserID: o.UserID, Field: "user", Before: "", After: o.Action, Now: "deleted"})
			continue
		}
		if u.ext == "" {
			u.ext = o.ExternalID
			order = append(order, u)
		}
		if o.Action == store.ActionCreated && run.Trigger == store.TriggerUndo {
			// An undo creates a user only to restore one a run deleted:
			// undoing that deletes it again.
			plan.deletes = append(plan.deletes, store.Outcome{UserRowID: u.cur.ID, ExternalID: o.ExternalID, UserID: u.cur.UserID,
				Action: store.ActionDeleted, Reason: fmt.Sprintf("undo of run %d: deleted again", run.ID)})
			continue
		}
		if o.Action == store.ActionCreated {
			plan.undoCreate(u, o)
			// What the group rules gave the new user is listed in its
			// outcome, and taken back with it.
			for _, ch := range o.Changes {
				if err := plan.reverse(ctx, st, run, u, ch); err != nil {
					return nil, err
				}
			}
			continue
		}
		if o.Action == store.ActionDeactivated {
			u.keepHash = true
		}
		for _, ch := range o.Changes {
			if err := plan.reverse(ctx, st, run, u, ch); err != nil {
				return nil, err
			}
		}
	}
	if err := plan.heldUserIDs(ctx, st, order); err != nil {
		return nil, err
	}
	for _, u := range order {
		plan.finish(run, u)
	}
	return plan, nil
}

func cloneUser(u store.User) store.User {
	f := make(map[string]string, len(u.Fields))
	for k, v := range u.Fields {
		f[k] = v
	}
	u.Fields = f
	return u
}

func (p *UndoPlan) conflict(c Conflict) { p.Conflicts = append(p.Conflicts, c) }

// undoCreate deactivates a user the undone run created. The user keeps
// its link, so a later sync that finds it in scope brings it back.
func (p *UndoPlan) undoCreate(u *userUndo, o store.Outcome) {
	if u.next.Status != store.StatusActive {
		return
	}
	u.next.Status = store.StatusInactive
	u.changes = append(u.changes, store.FieldChange{Field: "status", Old: store.StatusActive, New: store.StatusInactive})
}

// reverse takes back one recorded change of a user, unless the value
// changed since.
func (p *UndoPlan) reverse(ctx context.Context, st UndoState, run store.Run, u *userUndo, ch store.FieldChange) error {
	c := Conflict{UserRowID: u.cur.ID, UserID: u.cur.UserID, Field: ch.Field, Before: ch.Old, After: ch.New}
	switch ch.Field {
	case "status":
		c.Now = u.next.Status
		switch {
		case c.Now == ch.New:
			u.next.Status = ch.Old
			u.changes = append(u.changes, store.FieldChange{Field: "status", Old: ch.New, New: ch.Old})
		case c.Now != ch.Old:
			p.conflict(c)
		}
	case "userId":
		c.Now = u.next.UserID
		switch {
		case c.Now == ch.New:
			u.next.UserID = ch.Old
			u.changes = append(u.changes, store.FieldChange{Field: "userId", Old: ch.New, New: ch.Old})
		case c.Now != ch.Old:
			p.conflict(c)
		}
	case "superUser":
		want, _ := strconv.ParseBool(ch.Old)
		after, _ := strconv.ParseBool(ch.New)
		c.Now = strconv.FormatBool(u.next.SuperUser)
		switch {
		case u.next.SuperUser == after && want != after:
			u.next.SuperUser = want
			u.membership = true
			p.Memberships.SuperUser = append(p.Memberships.SuperUser, store.SuperUserChange{UserRowID: u.cur.ID, SuperUser: want})
			u.changes = append(u.changes, store.FieldChange{Field: "superUser", Old: ch.New, New: ch.Old})
		case u.next.SuperUser != want:
			p.conflict(c)
		}
	case store.KindPermissionSet, store.KindGroup, store.KindSite:
		return p.reverseMembership(ctx, st, run, u, ch)
	default:
		if store.IsSecretField(ch.Field) {
			c.Before, c.After, c.Now = store.Redacted, store.Redacted, store.Redacted
			p.conflict(c)
			return nil
		}
		c.Now = u.next.Fields[ch.Field]
		switch {
		case c.Now == ch.New:
			if ch.Old == "" {
				delete(u.next.Fields, ch.Field)
			} else {
				u.next.Fields[ch.Field] = ch.Old
			}
			u.changes = append(u.changes, store.FieldChange{Field: ch.Field, Old: ch.New, New: ch.Old})
		case c.Now != ch.Old:
			p.conflict(c)
		}
	}
	return nil
}

// reverseMembership removes a membership the run added, or gives back one
// it removed, from the same source. A membership that already is as it was
// before the run needs nothing.
func (p *UndoPlan) reverseMembership(ctx context.Context, st UndoState, run store.Run, u *userUndo, ch store.FieldChange) error {
	ms, err := st.UserMemberships(ctx, u.cur.ID)
	if err != nil {
		return err
	}
	name, source := ch.New, store.RuleSource(run.Connection)
	add := false
	if name == "" {
		name, add = ch.Old, true
	}
	if n, ok := strings.CutSuffix(name, manualSuffix); ok {
		name, source = n, store.SourceManual
	}
	has := false
	for _, m := range ms {
		if m.Kind == ch.Field && m.Name == name && m.Source == source {
			has = true
		}
	}
	if has == add {
		return nil // already as before the run
	}
	id, err := p.entityID(ctx, st, ch.Field, name)
	if err != nil {
		return err
	}
	if id == 0 {
		// The entity itself was deleted since the run.
		p.conflict(Conflict{UserRowID: u.cur.ID, UserID: u.cur.UserID, Field: ch.Field, Before: ch.Old, After: ch.New, Now: "no such " + ch.Field})
		return nil
	}
	m := store.Membership{UserRowID: u.cur.ID, EntityID: id, Kind: ch.Field, Name: name, Source: source}
	u.membership = true
	if add {
		p.Memberships.Add = append(p.Memberships.Add, m)
	} else {
		p.Memberships.Remove = append(p.Memberships.Remove, m)
	}
	u.changes = append(u.changes, store.FieldChange{Field: ch.Field, Old: ch.New, New: ch.Old})
	return nil
}

// entityID returns the id of an entity, 0 when there is none.
func (p *UndoPlan) entityID(ctx context.Context, st UndoState, kind, name string) (int64, error) {
	if p.entities == nil {
		es, err := st.ListEntities(ctx, "")
		if err != nil {
			return 0, err
		}
		p.entities = make(map[string]int64, len(es))
		for _, e := range es {
			p.entities[e.Kind+"\x00"+e.Name] = e.ID
		}
	}
	return p.entities[kind+"\x00"+name], nil
}

// restore brings back a user the run deleted, from the record the delete
// kept. A user that has come back since (a later sync created it again)
// is a conflict; a record past retention makes the undo fail.
func (p *UndoPlan) restore(ctx context.Context, st UndoState, run store.Run, o store.Outcome, byExt map[string]int64, retention time.Duration, now time.Time) error {
	if id, ok := byExt[o.ExternalID]; ok {
		p.conflict(Conflict{UserRowID: id, UserID: o.UserID, Field: "user", Before: "present", After: "deleted", Now: "present again"})
		return nil
	}
	d, err := st.DeletedUser(ctx, run.ID, o.UserRowID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && now.Sub(d.DeletedAt) > retention) {
		return fmt.Errorf("user %q was deleted by run %d more than %s ago (the deleted-user retention): %w",
			o.UserID, run.ID, retention, ErrTooLate)
	}
	if err != nil {
		return err
	}
	u := d.User
	u.ID = 0
	// The user comes back as it was: with its super-user flag and every
	// membership it held, manual ones included, which no sync would give
	// back. They are written with the user and listed in its outcome, so
	// that undoing this undo takes them away again. A membership of an
	// entity deleted since is a conflict; the rest of the user is restored.
	var changes []store.FieldChange
	for _, m := range d.Memberships {
		id, err := p.entityID(ctx, st, m.Kind, m.Name)
		if err != nil {
			return err
		}
		shown := m.Name
		if m.Source == store.SourceManual {
			shown += manualSuffix
		}
		if id == 0 {
			p.conflict(Conflict{UserID: u.UserID, Field: m.Kind, Before: shown, After: "", Now: "no such " + m.Kind})
			continue
		}
		u.Memberships = append(u.Memberships, store.Membership{EntityID: id, Kind: m.Kind, Name: m.Name, Source: m.Source})
		changes = append(changes, store.FieldChange{Field: m.Kind, New: shown})
	}
	if u.SuperUser {
		changes = append(changes, store.FieldChange{Field: "superUser", Old: "false", New: "true"})
	}
	if len(changes) > 0 {
		p.Counts.MembershipChanges++
	}
	p.Batch.Creates = append(p.Batch.Creates, u)
	p.Batch.Outcomes = append(p.Batch.Outcomes, store.Outcome{ExternalID: u.ExternalID, UserID: u.UserID, Action: store.ActionCreated,
		Reason: fmt.Sprintf("undo of run %d: restored the deleted user", run.ID), Changes: changes})
	p.Counts.Created++
	return nil
}

// finish turns one user's reversed changes into an update and an outcome.
func (p *UndoPlan) finish(run store.Run, u *userUndo) {
	if len(u.changes) == 0 {
		return
	}
	reason := fmt.Sprintf("undo of run %d", run.ID)
	o := store.Outcome{UserRowID: u.cur.ID, ExternalID: u.ext, UserID: u.next.UserID, Action: store.ActionUpdated, Reason: reason, Changes: u.changes}
	rowChanged := u.next.Status != u.cur.Status || u.next.UserID != u.cur.UserID || !sameFields(u.next.Fields, u.cur.Fields)
	if u.membership {
		p.Counts.MembershipChanges++
	}
	if !rowChanged {
		p.Batch.Outcomes = append(p.Batch.Outcomes, o)
		if !u.membership {
			p.Counts.Unchanged++
		}
		return
	}
	next := u.next
	if !u.keepHash {
		// The next run re-evaluates the user against the directory.
		next.Hash = 0
	}
	switch {
	case u.cur.Status == store.StatusActive && next.Status != store.StatusActive:
		o.Action = store.ActionDeactivated
		p.Deactivate = append(p.Deactivate, o)
		p.held(next, u.cur)
		return
	default:
		p.Counts.Updated++
	}
	p.Batch.Updates = append(p.Batch.Updates, next)
	p.Batch.Outcomes = append(p.Batch.Outcomes, o)
}

func sameFields(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

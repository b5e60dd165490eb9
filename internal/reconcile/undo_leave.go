package reconcile

import (
	"context"

	"github.com/usersync/usersync/internal/store"
)

// LeaveChanges reads the users about to be deactivated by a leave policy
// and returns, by row id, what the deactivation changes: the status and
// the value of every field it clears. Recording them is what lets an undo
// reactivate a user with the fields the leave policy cleared.
func LeaveChanges(ctx context.Context, users store.Users, ids []int64, clear []string) (map[int64][]store.FieldChange, error) {
	out := make(map[int64][]store.FieldChange, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	us, err := users.GetUsers(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, u := range us {
		var ch []store.FieldChange
		if u.Status != store.StatusInactive {
			ch = append(ch, store.FieldChange{Field: "status", Old: u.Status, New: store.StatusInactive})
		}
		for _, f := range clear {
			if v, ok := u.Fields[f]; ok && v != "" {
				ch = append(ch, store.FieldChange{Field: f, Old: v})
			}
		}
		out[u.ID] = ch
	}
	return out, nil
}

// leaveChanges is LeaveChanges for the users of gone that are deactivated.
func (p *planner) leaveChanges(ctx context.Context, gone []leaver, clear []string) (map[int64][]store.FieldChange, error) {
	ids := make([]int64, 0, len(gone))
	for _, g := range gone {
		if !g.delete {
			ids = append(ids, g.ref.id)
		}
	}
	return LeaveChanges(ctx, p.users, ids, clear)
}

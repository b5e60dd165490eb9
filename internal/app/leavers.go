package app

import (
	"cmp"
	"context"
	"slices"
	"strconv"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/store"
)

// approvedLeaverReason is the outcome reason of a user whose deactivation
// an operator approved and who lost what the directory gave.
const approvedLeaverReason = "left the directory or the scope; deactivation approved by an operator; the memberships the directory gave were removed"

// leaverMemberships is what approving the deactivation of the users in
// leavers (a held run's pending deactivations) takes away from those who
// left the directory or the scope, as a run would have: every membership the
// connection's group rules gave, the super-user flag, and the manual
// memberships when the connection overwrites manual assignments. The
// outcomes record each removal.
func (a *App) leaverMemberships(ctx context.Context, c connection.Connection, runID int64, leavers []store.Outcome) (store.MembershipBatch, error) {
	b := store.MembershipBatch{RunID: runID}
	if len(leavers) == 0 {
		return b, nil
	}
	sources := []string{store.RuleSource(c.Name)}
	if c.OverwritesManual() {
		sources = append(sources, store.SourceManual)
	}
	held := make(map[int64][]store.Membership)
	for _, src := range sources {
		ms, err := a.Store.SourceMemberships(ctx, src)
		if err != nil {
			return b, err
		}
		for _, m := range ms {
			held[m.UserRowID] = append(held[m.UserRowID], m)
		}
	}
	supers, err := a.Store.SuperUsers(ctx, c.Name)
	if err != nil {
		return b, err
	}
	for _, o := range leavers {
		if len(o.Changes) > 0 {
			// A held deactivation the directory stated (a disabled
			// account, the group status rule) records the status change;
			// that user is still in the directory and keeps what the
			// rules give, as in a run the guard lets through.
			continue
		}
		ms := held[o.UserRowID]
		slices.SortFunc(ms, func(x, y store.Membership) int {
			return cmp.Or(cmp.Compare(x.Kind, y.Kind), cmp.Compare(x.Name, y.Name))
		})
		var changes []store.FieldChange
		for _, m := range ms {
			old := m.Name
			if m.Source == store.SourceManual {
				old += " (manual)"
			}
			changes = append(changes, store.FieldChange{Field: m.Kind, Old: old})
			b.Remove = append(b.Remove, m)
		}
		if supers[o.UserRowID] {
			changes = append(changes, store.FieldChange{Field: "superUser", Old: strconv.FormatBool(true), New: strconv.FormatBool(false)})
			b.SuperUser = append(b.SuperUser, store.SuperUserChange{UserRowID: o.UserRowID})
		}
		if len(changes) > 0 {
			b.Outcomes = append(b.Outcomes, store.Outcome{RunID: runID, UserRowID: o.UserRowID, ExternalID: o.ExternalID, UserID: o.UserID,
				Action: store.ActionUpdated, Reason: approvedLeaverReason, Changes: changes})
		}
	}
	return b, nil
}

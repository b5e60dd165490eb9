package grouprules

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/store"
)

// maxWarnings caps the warnings one run records; the rest are counted.
const maxWarnings = 100

// batchOps is about how many rows one membership transaction writes.
const batchOps = 2000

// Finish diffs every observed user's rule-managed memberships and super-user
// flag against what Prepare read from the store and writes only the
// differences, in batches. Users this run did not see keep their rule
// memberships. Manual memberships are kept, unless the connection
// overwrites them: then every run removes the manual memberships of all the
// connection's users, seen or not, so that the directory alone decides.
func (p *Phase) Finish(ctx context.Context, rep *reconcile.Report) error {
	if len(p.desired) == 0 && len(p.manual) == 0 {
		return nil // nobody is wanted in or held in a rule-managed entity
	}
	rowIDs := p.rowIDs
	if p.observedOnly {
		rowIDs = p.readObserved
	}
	rows, err := rowIDs(ctx)
	if err != nil {
		return err
	}
	source := store.RuleSource(p.conn.Name)
	have, supers := p.have, p.supers
	if !p.start {
		if have, supers, err = p.readRuleState(ctx, source); err != nil {
			return err
		}
	}

	type wanted struct {
		ext string
		*userState
	}
	users := make([]wanted, 0, len(p.desired))
	for ext, st := range p.desired {
		users = append(users, wanted{ext, st})
	}
	slices.SortFunc(users, func(a, b wanted) int { return cmp.Compare(a.userID, b.userID) })

	b := store.MembershipBatch{RunID: rep.ID}
	ops := 0
	var warnings []string
	for _, u := range users {
		ext, want := u.ext, u.userState
		if want.created {
			// Its memberships were written with the user.
			for _, w := range want.warnings {
				warnings = append(warnings, want.userID+": "+w)
			}
			continue
		}
		row := rows[ext] // 0 for a user a dry run would create
		if row == 0 && !rep.DryRun {
			continue // not provisioned (a disabled account, say)
		}
		for _, w := range want.warnings {
			warnings = append(warnings, want.userID+": "+w)
		}
		cur := have[row]
		slices.Sort(cur)
		add, remove := diff(cur, want.entities)
		var changes []store.FieldChange
		for _, id := range add {
			e := p.cat.Entity(id)
			changes = append(changes, store.FieldChange{Field: e.Kind, New: e.Name})
			b.Add = append(b.Add, store.Membership{UserRowID: row, EntityID: id, Source: source})
		}
		for _, id := range remove {
			e := p.cat.Entity(id)
			name := e.Name
			if name == "" {
				name = "#" + strconv.FormatInt(id, 10)
			}
			changes = append(changes, store.FieldChange{Field: e.Kind, Old: name})
			b.Remove = append(b.Remove, store.Membership{UserRowID: row, EntityID: id, Source: source})
		}
		if want.super != supers[row] {
			changes = append(changes, store.FieldChange{Field: "superUser", Old: strconv.FormatBool(supers[row]), New: strconv.FormatBool(want.super)})
			b.SuperUser = append(b.SuperUser, store.SuperUserChange{UserRowID: row, SuperUser: want.super})
		}
		reason := "group rules"
		if mc := p.overwrite(ext, &b); len(mc) > 0 {
			changes = append(changes, mc...)
			reason = overwriteReason
		}
		if want.left {
			reason = leftReason
		}
		if len(changes) == 0 {
			continue
		}
		rep.MembershipChanges++
		b.Outcomes = append(b.Outcomes, store.Outcome{RunID: rep.ID, UserRowID: row, ExternalID: ext, UserID: want.userID,
			Action: store.ActionUpdated, Reason: reason, Changes: changes})
		ops += len(changes) + 1
		if ops >= batchOps {
			if err := p.write(ctx, rep, b); err != nil {
				return err
			}
			b, ops = store.MembershipBatch{RunID: rep.ID}, 0
		}
	}
	// Users this run did not see lose their manual memberships too.
	unseen := make([]string, 0, len(p.manual))
	for ext := range p.manual {
		unseen = append(unseen, ext)
	}
	slices.SortFunc(unseen, func(a, b string) int { return cmp.Compare(p.manual[a].userID, p.manual[b].userID) })
	for _, ext := range unseen {
		mh := p.manual[ext]
		changes := p.overwrite(ext, &b)
		rep.MembershipChanges++
		b.Outcomes = append(b.Outcomes, store.Outcome{RunID: rep.ID, UserRowID: mh.ms[0].UserRowID, ExternalID: ext, UserID: mh.userID,
			Action: store.ActionUpdated, Reason: overwriteReason, Changes: changes})
		ops += len(changes) + 1
		if ops >= batchOps {
			if err := p.write(ctx, rep, b); err != nil {
				return err
			}
			b, ops = store.MembershipBatch{RunID: rep.ID}, 0
		}
	}
	if err := p.write(ctx, rep, b); err != nil {
		return err
	}
	addWarnings(rep, warnings)
	return nil
}

// overwriteReason is the outcome reason of a user whose manual memberships
// a sync removed.
const overwriteReason = "group rules; manual assignments overwritten (manualAssignments: overwrite)"

// leftReason is the outcome reason of a user who left the directory or the
// scope and lost what the directory gave.
const leftReason = "left the directory or the scope; the memberships the directory gave were removed"

// overwrite removes the user's manual memberships, when the connection
// overwrites them, adding the removals to b; it returns the changes and
// forgets the user, so that each is handled once.
func (p *Phase) overwrite(ext string, b *store.MembershipBatch) []store.FieldChange {
	mh, ok := p.manual[ext]
	if !ok {
		return nil
	}
	delete(p.manual, ext)
	changes := make([]store.FieldChange, 0, len(mh.ms))
	for _, m := range mh.ms {
		changes = append(changes, store.FieldChange{Field: m.Kind, Old: m.Name + " (manual)"})
		b.Remove = append(b.Remove, store.Membership{UserRowID: m.UserRowID, EntityID: m.EntityID, Source: store.SourceManual})
	}
	return changes
}

func (p *Phase) write(ctx context.Context, rep *reconcile.Report, b store.MembershipBatch) error {
	if !rep.DryRun {
		return p.st.ApplyMemberships(ctx, b)
	}
	for _, o := range b.Outcomes {
		if len(rep.Plan) >= reconcile.MaxPlanOutcomes {
			rep.PlanTruncated = true
			break
		}
		rep.Plan = append(rep.Plan, o)
	}
	return nil
}

func addWarnings(rep *reconcile.Report, ws []string) {
	if len(ws) > maxWarnings {
		more := len(ws) - maxWarnings
		ws = append(ws[:maxWarnings:maxWarnings], fmt.Sprintf("... and %d more group-rule warnings", more))
	}
	rep.Warnings = append(rep.Warnings, ws...)
}

// diff compares two sorted id lists.
func diff(have, want []int64) (add, remove []int64) {
	i, j := 0, 0
	for i < len(have) || j < len(want) {
		switch {
		case j == len(want) || (i < len(have) && have[i] < want[j]):
			remove = append(remove, have[i])
			i++
		case i == len(have) || want[j] < have[i]:
			add = append(add, want[j])
			j++
		default:
			i++
			j++
		}
	}
	return add, remove
}

// rowIDs maps the external id of every user Finish diffs to its row id.
// The users that held something when the run started are known from
// Prepare; the index is scanned again only for the others (users given
// their first membership) and when a user left, whose row the run may have
// deleted. Users this run created need no row id: their memberships were
// written with them.
func (p *Phase) rowIDs(ctx context.Context) (map[string]int64, error) {
	rows := make(map[string]int64, len(p.desired))
	complete := true
	for ext, st := range p.desired {
		if st.created {
			continue
		}
		id, ok := p.held[ext]
		if !ok || st.left {
			complete = false
			break
		}
		rows[ext] = id
	}
	if complete {
		return rows, nil
	}
	clear(rows)
	err := p.st.ScanIndex(ctx, p.conn.Name, func(e store.IndexEntry) error {
		if st, ok := p.desired[e.ExternalID]; ok && !st.created {
			rows[e.ExternalID] = e.ID
		}
		return nil
	})
	return rows, err
}

// readRuleState reads the rule memberships and super users, for a Finish
// without a Prepare.
func (p *Phase) readRuleState(ctx context.Context, source string) (map[int64][]int64, map[int64]bool, error) {
	current, err := p.st.SourceMemberships(ctx, source)
	if err != nil {
		return nil, nil, err
	}
	have := make(map[int64][]int64)
	for _, m := range current {
		have[m.UserRowID] = append(have[m.UserRowID], m.EntityID)
	}
	supers, err := p.st.SuperUsers(ctx, p.conn.Name)
	return have, supers, err
}

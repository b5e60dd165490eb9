package reconcile

import (
	"context"

	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/store"
)

// Grant is what the group rules give a user a run creates.
type Grant struct {
	// Memberships are the rule memberships (EntityID and Source are used).
	Memberships []store.Membership
	SuperUser   bool
	// Changes list the memberships and the super-user flag as the user's
	// outcome shows them.
	Changes []store.FieldChange
}

// GroupPhase is the group-rules seam of a run. The pipeline calls
// Prepare once before the user read, Observe for every entry that links to
// a user, and Finish once after a complete, error-free user pass that the
// deletion guard let through. Package grouprules implements it.
type GroupPhase interface {
	// Prepare reads, in bulk and once per run, what the rules need (the
	// directory's groups, the application's entities). An error fails the
	// run before any user is written.
	Prepare(ctx context.Context) error
	// Attributes names user attributes to read besides the mapped ones.
	Attributes() []string
	// Observe sees an entry with its external id and userId. A non-empty
	// result is why the group status rule makes the user inactive.
	Observe(ext, userID string, e *directory.Entry) (inactiveReason string)
	// Leave tells the phase that the user with this external id left the
	// directory or the scope and was deactivated. The user loses every
	// membership and the super-user flag the rules gave (and manual
	// memberships when the connection overwrites them), as if the rules
	// now gave them nothing.
	Leave(ext, userID string)
	// Take returns what the rules give the user last observed with this
	// external id, and forgets that user, so that Finish leaves it alone.
	// The planner takes it for a user it creates, whose memberships and
	// super-user flag are written in the same transaction as the user and
	// listed in its created outcome, and for a second entry with the id
	// of a user it just created, which it refuses.
	Take(ext string) Grant
	// Finish diffs and writes the memberships (or, in a dry run, adds them
	// to the plan) and records their changes and warnings in rep.
	Finish(ctx context.Context, rep *Report) error
}

// ModalGroupPhase is the optional capability of a group phase to read the
// application's stored rule state (who holds which rule membership) only
// once the run knows whether it reads every entry or only the changes.
// When the phase has it, the pipeline calls DeferHeld before Prepare, so
// that Prepare leaves that state unread, and Begin after deciding and
// before reading any user: changesOnly is true for a run that reads only
// changed entries. Such a run is taken only when no group changed, so only
// the users it observes or sees leave can gain or lose a rule membership,
// and the phase may read the state of those users alone, at Finish.
type ModalGroupPhase interface {
	DeferHeld()
	Begin(ctx context.Context, changesOnly bool) error
}

package reconcile

import (
	"context"
	"fmt"
	"strings"
)

// restorableReader is the optional capability of naming the users that
// are deleted but still restorable (Entra ID's deleted items, kept for 30
// days), by the identifier incremental reads use. A full read does not see
// them, just as it does not see users deleted for good.
type restorableReader interface {
	SoftDeleted(ctx context.Context) (map[string]bool, error)
}

const restorableReason = "deleted in the directory and restorable (soft-deleted)"

// spareRestorable turns the leavers a full read missed that the directory
// still holds as restorable into deactivations, whatever the leave policy
// says, as an incremental read does when it is told of a soft delete: the
// user comes back as it was when it is restored. An inactive restorable
// user needs nothing. The directory is asked only when someone would
// leave, and a failed answer fails the run before anyone leaves.
func (p *planner) spareRestorable(ctx context.Context, gone []leaver) ([]leaver, error) {
	rr, ok := p.j.Dir.(restorableReader)
	if !ok || len(gone) == 0 || !strings.EqualFold(p.j.LinkingKey, changeID(p.j.Flavor)) {
		return gone, nil
	}
	soft, err := rr.SoftDeleted(ctx)
	if err != nil {
		return nil, fmt.Errorf("reconcile: %w; nobody was deactivated", err)
	}
	out := gone[:0]
	for _, l := range gone {
		switch {
		case !soft[l.ext]:
			out = append(out, l)
		case l.ref.active:
			out = append(out, leaver{l.ref, l.ext, restorableReason, false})
		}
	}
	return out, nil
}

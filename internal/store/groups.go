package store

import "context"

// Kinds of application entity a user can be a member of, each matched to a
// directory group by exact name.
const (
	KindPermissionSet = "permissionSet"
	KindGroup         = "group"
	KindSite          = "site"
)

// Kinds lists every entity kind, in the order reports show them.
var Kinds = []string{KindPermissionSet, KindGroup, KindSite}

// Membership sources: assigned by hand, or managed by a connection's group
// rules (RuleSource). Sync never removes a manual membership.
const (
	SourceManual = "manual"
	rulePrefix   = "rule:"
)

// RuleSource is the membership source of a connection's group rules.
func RuleSource(conn string) string { return rulePrefix + conn }

// Entity is a permission set, an application group or a site.
type Entity struct {
	ID   int64  `json:"id"`
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// Membership is one user's membership in one entity, from one source.
type Membership struct {
	UserRowID int64  `json:"userRowId"`
	EntityID  int64  `json:"entityId"`
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Source    string `json:"source"`
}

// Holding is one membership of a user by its row and external id.
type Holding struct {
	UserRowID  int64
	ExternalID string
	EntityID   int64
}

// SuperUserChange sets or clears a user's super-user flag.
type SuperUserChange struct {
	UserRowID int64
	SuperUser bool
}

// MembershipBatch is one transaction's worth of a run's membership changes.
type MembershipBatch struct {
	RunID     int64
	Add       []Membership // UserRowID, EntityID and Source are used
	Remove    []Membership // UserRowID, EntityID and Source are used
	SuperUser []SuperUserChange
	Outcomes  []Outcome
}

// Empty reports whether the batch writes nothing.
func (b *MembershipBatch) Empty() bool {
	return len(b.Add) == 0 && len(b.Remove) == 0 && len(b.SuperUser) == 0 && len(b.Outcomes) == 0
}

// Entities manages permission sets, application groups and sites, and the
// memberships users hold in them.
type Entities interface {
	// CreateEntity adds an entity; an existing kind and name is ErrConflict.
	CreateEntity(ctx context.Context, kind, name string) (Entity, error)
	// ListEntities returns the entities of a kind ("" for all), by kind and name.
	ListEntities(ctx context.Context, kind string) ([]Entity, error)
	// DeleteEntity removes an entity and every membership in it.
	DeleteEntity(ctx context.Context, kind, name string) error
	// AddMembership gives a user a membership from source; adding one that
	// exists is not an error.
	AddMembership(ctx context.Context, userRowID int64, kind, name, source string) error
	// RemoveMembership removes one membership; ErrNotFound if there is none.
	RemoveMembership(ctx context.Context, userRowID int64, kind, name, source string) error
	// UserMemberships returns a user's memberships from every source.
	UserMemberships(ctx context.Context, userRowID int64) ([]Membership, error)
	// SourceMemberships returns every membership from one source in one
	// query, so a run can diff all users in memory.
	SourceMemberships(ctx context.Context, source string) ([]Membership, error)
	// SuperUsers returns the row ids of a connection's super users.
	SuperUsers(ctx context.Context, conn string) (map[int64]bool, error)
	// RuleHoldings returns the memberships from source of the connection's
	// users with each user's external id, in one query: what a run's group
	// phase needs, without reading every user's index entry or the
	// entities' names.
	RuleHoldings(ctx context.Context, conn, source string) ([]Holding, error)
	// RuleHoldingsOf is RuleHoldings restricted to the connection's users
	// linked to the given external ids: what the group phase of a run that
	// reads only changed entries needs.
	RuleHoldingsOf(ctx context.Context, conn, source string, exts []string) ([]Holding, error)
	// ApplyMemberships writes a batch in one transaction.
	ApplyMemberships(ctx context.Context, b MembershipBatch) error
}

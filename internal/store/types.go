package store

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// User statuses.
const (
	StatusActive   = "active"
	StatusInactive = "inactive"
)

// User sources: a directory user is owned by a connection; a local user is
// created in usersync itself and never touched by sync.
const (
	SourceDirectory = "directory"
	SourceLocal     = "local"
)

// Well-known application fields. Mappings may fill any other field name too.
const (
	FieldDisplayName = "displayName"
	FieldFirstName   = "firstName"
	FieldLastName    = "lastName"
	FieldEmail       = "email"
)

// User is one application user.
type User struct {
	ID         int64
	Connection string // empty for local users
	ExternalID string // the linking-key value in the directory
	UserID     string
	Status     string
	Source     string
	// Fields holds every mapped application field except userId.
	Fields map[string]string
	// Hash summarises what the directory last said about the user (fields and
	// status), so that an unchanged entry is skipped without reading the row.
	Hash uint64
	// SuperUser is set and cleared by the connection's admin-group rule.
	SuperUser bool
	// Memberships, in a user of Batch.Creates, are the memberships the
	// user is given in the same transaction as its creation (EntityID and
	// Source are used), so that a new user never exists without what the
	// group rules give it. They are read nowhere else.
	Memberships  []Membership
	PasswordHash string // local users only; never marshalled
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// MarshalJSON writes the user as the CLI and the API show it: the well-known
// fields at the top level, every field under "fields", never the password hash.
func (u User) MarshalJSON() ([]byte, error) {
	f := u.Fields
	if f == nil {
		f = map[string]string{}
	}
	return json.Marshal(struct {
		ID          int64             `json:"id"`
		Connection  string            `json:"connection"`
		ExternalID  string            `json:"externalId"`
		UserID      string            `json:"userId"`
		DisplayName string            `json:"displayName"`
		FirstName   string            `json:"firstName"`
		LastName    string            `json:"lastName"`
		Email       string            `json:"email"`
		Status      string            `json:"status"`
		Source      string            `json:"source"`
		SuperUser   bool              `json:"superUser"`
		Fields      map[string]string `json:"fields"`
		CreatedAt   time.Time         `json:"createdAt"`
		UpdatedAt   time.Time         `json:"updatedAt"`
	}{u.ID, u.Connection, u.ExternalID, u.UserID, f[FieldDisplayName], f[FieldFirstName],
		f[FieldLastName], f[FieldEmail], u.Status, u.Source, u.SuperUser, f, u.CreatedAt, u.UpdatedAt})
}

// IndexEntry is the reconciler's view of a stored directory user.
type IndexEntry struct {
	ID         int64
	ExternalID string
	UserID     string
	Status     string
	Hash       uint64
	// InactiveSince is when an inactive user was deactivated (zero when
	// active, or unknown), for leave policies that delete after N days.
	InactiveSince time.Time
}

// UserQuery filters ListUsers. Zero values mean "any".
type UserQuery struct {
	Connection string
	Status     string
	Search     string // substring of userId, display name or email
	// Sort is the order: UserSortUserID, UserSortUpdated (newest first),
	// UserSortStatus, or empty for connection then userId.
	Sort   string
	Limit  int
	Offset int
}

// The orders UserQuery.Sort names.
const (
	UserSortUserID  = "userId"
	UserSortUpdated = "updated"
	UserSortStatus  = "status"
)

// Run statuses.
const (
	RunRunning          = "running"
	RunSucceeded        = "succeeded"
	RunFailed           = "failed"
	RunAwaitingApproval = "awaitingApproval"
	RunRejected         = "rejected"
)

// Run triggers and modes.
const (
	TriggerManual   = "manual"
	TriggerSchedule = "schedule"
	TriggerLive     = "live"
	// TriggerUndo marks a run that takes back another run's changes.
	TriggerUndo     = "undo"
	ModeFull        = "full"
	ModeIncremental = "incremental"
)

// Counts are a run's totals.
type Counts struct {
	Created     int `json:"created"`
	Updated     int `json:"updated"`
	Deactivated int `json:"deactivated"`
	// Deleted counts users deleted by a leave policy.
	Deleted     int `json:"deleted"`
	Unchanged   int `json:"unchanged"`
	Skipped     int `json:"skipped"`
	Failed      int `json:"failed"`
	EntriesRead int `json:"entriesRead"`
	// PendingDeactivations counts users a deletion guard held back.
	PendingDeactivations int `json:"pendingDeactivations"`
	// MembershipChanges counts users whose group-rule memberships or
	// super-user flag changed.
	MembershipChanges int `json:"membershipChanges"`
}

// Run is one execution of a connection's sync.
type Run struct {
	ID         int64      `json:"runId"`
	Connection string     `json:"connection"`
	Trigger    string     `json:"trigger"`
	Mode       string     `json:"mode"`
	DryRun     bool       `json:"dryRun"`
	Status     string     `json:"status"`
	Error      string     `json:"error,omitempty"`
	Warnings   []string   `json:"warnings,omitempty"`
	StartedAt  time.Time  `json:"startedAt"`
	FinishedAt *time.Time `json:"finishedAt,omitempty"`
	DurationMs int64      `json:"durationMs"`
	// UndoOf is the run an undo run takes back (0 for every other run).
	UndoOf int64 `json:"undoOf,omitempty"`
	// UndoneBy is the newest undo run that took this run back and was
	// not rejected or failed (0 when none did).
	UndoneBy int64 `json:"undoneBy,omitempty"`
	Counts
}

// RunQuery filters ListRuns.
type RunQuery struct {
	Connection string
	Status     string
	Limit      int
}

// Outcome actions: what a run did, or would do, to one user.
const (
	ActionCreated             = "created"
	ActionUpdated             = "updated"
	ActionDeactivated         = "deactivated"
	ActionSkipped             = "skipped"
	ActionFailed              = "failed"
	ActionPendingDeactivation = "pendingDeactivation"
	ActionDeleted             = "deleted"
	ActionPendingDeletion     = "pendingDeletion"
)

// FieldChange is one field's old and new value.
type FieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// Outcome is what one run did to one user, and why.
type Outcome struct {
	RunID      int64         `json:"runId"`
	UserRowID  int64         `json:"userRowId,omitempty"`
	ExternalID string        `json:"externalId"`
	UserID     string        `json:"userId"`
	Action     string        `json:"action"`
	Reason     string        `json:"reason,omitempty"`
	Changes    []FieldChange `json:"changes,omitempty"`
	// Warnings are problems with the user's values that did not block it,
	// such as an email address that is not one.
	Warnings []string `json:"warnings,omitempty"`
}

// OutcomeQuery filters ListOutcomes.
type OutcomeQuery struct {
	Action string
	Limit  int
	// Offset skips that many outcomes, for paging.
	Offset int
	// User keeps the outcomes whose userId contains it, in any case (ASCII).
	User string
}

// Batch is one transaction's worth of a run's changes.
type Batch struct {
	RunID      int64
	Connection string
	Creates    []User
	Updates    []User
	// Deactivate lists user row ids to set inactive.
	Deactivate []int64
	// ClearOnDeactivate names the fields removed from every user in
	// Deactivate (the mappings' delete policy).
	ClearOnDeactivate []string
	// Delete lists user row ids to delete (a leave policy that deletes).
	Delete []int64
	// Retire deactivates users and moves their link aside (applied before
	// Creates), so that a new user can take the same external id: how a
	// user moved to another domain, or whose UPN changed in upn identity
	// mode, becomes a new application user while the old one stays.
	Retire   []Retirement
	Outcomes []Outcome
	// Token, when non-nil, is saved as the connection's change token in the
	// same transaction.
	Token *string
}

// Empty reports whether the batch writes nothing.
func (b *Batch) Empty() bool {
	return len(b.Creates) == 0 && len(b.Updates) == 0 && len(b.Deactivate) == 0 && len(b.Delete) == 0 && len(b.Retire) == 0 &&
		len(b.Outcomes) == 0 && b.Token == nil
}

// Retirement deactivates the user with row id ID and sets its external id to
// ExternalID, a tombstone no directory entry carries (see RetiredExternalID).
type Retirement struct {
	ID         int64
	ExternalID string
}

// RetiredExternalID is the tombstone external id of a retired user: the old
// link with the row id appended, unique and recognisably not a live link.
func RetiredExternalID(ext string, id int64) string {
	return fmt.Sprintf("%s#retired-%d", ext, id)
}

// IsRetiredExternalID reports whether ext is a tombstone made by
// RetiredExternalID: the user it belongs to no longer links to any entry.
func IsRetiredExternalID(ext string) bool {
	return strings.Contains(ext, "#retired-")
}

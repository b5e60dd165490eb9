// Package store defines what usersync keeps: connections, users, runs and the
// per-user outcomes of each run. Implementations (sqlite and postgres)
// pass the same conformance suite in package storetest.
package store

import (
	"context"
	"errors"

	"github.com/usersync/usersync/internal/connection"
)

// ErrNotFound is returned when a named or numbered record does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a write would break a uniqueness rule, such as
// a second local user with the same userId.
var ErrConflict = errors.New("conflict")

// ErrBusy is returned when the database stayed locked by another writer
// past its timeout, or aborted a transaction to resolve a lock conflict:
// the operation changed nothing and may be retried.
var ErrBusy = errors.New("database busy")

// Store is everything usersync persists. Every method takes a context that
// reaches the database driver.
type Store interface {
	Connections
	Users
	Runs
	Entities
	Leases
	Schedules
	History
	Certificates
	Admins
	Sessions
	APITokens
	DeletedUsers
	LDAPViews
	SCIM
	SCIMRequests
	Events
	Webhooks
	AuditLog

	// Apply writes one batch of a run's changes in a single transaction,
	// together with the change token that produced them, so that a crash never leaves changes without their token or a token
	// ahead of its changes.
	Apply(ctx context.Context, b Batch) error

	Close() error
}

// Connections stores connection documents. The bind password is kept only in
// sealed form (encrypted by package secret before it reaches the store).
type Connections interface {
	PutConnection(ctx context.Context, c connection.Connection, sealedPassword string) error
	GetConnection(ctx context.Context, name string) (c connection.Connection, sealedPassword string, err error)
	ListConnections(ctx context.Context) ([]connection.Connection, error)
	DeleteConnection(ctx context.Context, name string) error
	// ChangeToken returns the saved change token of a connection, or "".
	ChangeToken(ctx context.Context, name string) (string, error)
}

// Users reads users and manages local ones. Directory users are written only
// through Apply.
type Users interface {
	// ScanIndex calls fn for every directory user of a connection with the
	// little the reconciler needs to decide whether an entry changed.
	ScanIndex(ctx context.Context, conn string, fn func(IndexEntry) error) error
	// LookupIndex returns the index entries of the connection's directory
	// users linked to the given external ids (compared exactly), in no
	// particular order: what a run that reads only changed entries needs of
	// the index, batch by batch, without reading all of it.
	LookupIndex(ctx context.Context, conn string, exts []string) ([]IndexEntry, error)
	GetUsers(ctx context.Context, ids []int64) ([]User, error)
	GetUser(ctx context.Context, id int64) (User, error)
	// FindUsers returns every user, local or directory, whose userId equals
	// userID compared case-insensitively.
	FindUsers(ctx context.Context, userID string) ([]User, error)
	ListUsers(ctx context.Context, q UserQuery) ([]User, error)
	// FindActiveUsers returns the active users, local or directory, whose
	// userId equals one of userIDs compared case-insensitively, so that a
	// run can tell which userIds are taken before it writes.
	FindActiveUsers(ctx context.Context, userIDs []string) ([]User, error)
	// DuplicateUserIDs returns the active users that share their userId
	// with another active user, ordered by userId and row id. Only users
	// stored before userIds were made unique can: the upgrade keeps and
	// reports them rather than failing.
	DuplicateUserIDs(ctx context.Context) ([]User, error)
	// LocalUserIDs returns the userIds of all local users, lower-cased, so a
	// run can report a directory user that collides with one.
	LocalUserIDs(ctx context.Context) (map[string]bool, error)
	// CreateLocalUser stores a local user. A userId another local user, or
	// an active directory user, holds is ErrConflict (a *HeldError naming
	// the holder).
	CreateLocalUser(ctx context.Context, u User) (int64, error)
	// SetUserField records an operator's edit of one field (an empty value
	// removes it). It resets the user's hash, so that the next run
	// re-evaluates the user: a keepExisting mapping keeps the edit, an
	// always mapping overwrites it.
	SetUserField(ctx context.Context, id int64, field, value string) error
	// ListLocalUsers returns the local users ordered by userId.
	ListLocalUsers(ctx context.Context) ([]User, error)
	// UpdateLocalUser saves a local user's userId, status, fields and, when
	// PasswordHash is not empty, password. A directory user or an unknown
	// id is ErrNotFound; a userId another user holds is ErrConflict.
	UpdateLocalUser(ctx context.Context, u User) error
	// DeleteLocalUser removes a local user; a directory user or an unknown
	// id is ErrNotFound.
	DeleteLocalUser(ctx context.Context, id int64) error
	// LastOutcome returns the newest run outcome of a user, or ErrNotFound.
	LastOutcome(ctx context.Context, u User) (Outcome, error)
	// CountUsers counts the users with a status ("" counts all).
	CountUsers(ctx context.Context, status string) (int, error)
}

// Certificates records the user certificates enrolled for relying-party
// connections and which altSecurityIdentities values usersync wrote for
// them, so that write-back only ever removes values it owns.
type Certificates interface {
	// PutCertificate records c, or, when the connection already has that
	// mapping for that user, makes the stored one active again; it returns
	// the stored record.
	PutCertificate(ctx context.Context, c Certificate) (Certificate, error)
	// UpdateCertificate saves c's status, revocation time and WrittenDN.
	UpdateCertificate(ctx context.Context, c Certificate) error
	ListCertificates(ctx context.Context, q CertificateQuery) ([]Certificate, error)
}

// Runs records every run and what it did to each user.
type Runs interface {
	CreateRun(ctx context.Context, r Run) (int64, error)
	// UpdateRun saves a run's status, counts and timing.
	UpdateRun(ctx context.Context, r Run) error
	GetRun(ctx context.Context, id int64) (Run, error)
	ListRuns(ctx context.Context, q RunQuery) ([]Run, error)
	ListOutcomes(ctx context.Context, runID int64, q OutcomeQuery) ([]Outcome, error)
	// FailRunning marks runs left "running" by a process that died as failed
	// and returns how many it marked.
	FailRunning(ctx context.Context, reason string) (int, error)
}

package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Leases make sure one run per connection happens at a time, also across
// several usersync instances sharing a store. A lease names its holder and
// expires unless renewed, so that a holder that dies (kill -9, power loss)
// loses it after at most one time-to-live.
type Leases interface {
	// AcquireLease takes the connection's lease for holder, or renews it when
	// holder has it already. When another holder's lease has not expired it
	// returns a *LeaseHeldError.
	AcquireLease(ctx context.Context, conn, holder string, ttl time.Duration) (Lease, error)
	// RenewLease extends holder's lease; ErrLeaseLost means holder no longer
	// has it (it expired and another instance took it over).
	RenewLease(ctx context.Context, conn, holder string, ttl time.Duration) error
	// ReleaseLease gives the lease up if holder has it.
	ReleaseLease(ctx context.Context, conn, holder string) error
	// GetLease returns a connection's lease, expired or not, or ErrNotFound.
	GetLease(ctx context.Context, conn string) (Lease, error)
	// FailOrphanedRuns marks as failed the runs still "running" (of conn, or
	// of every connection when conn is empty) unless an unexpired lease on
	// their connection is held by someone other than holder: such a run
	// belongs to a live instance. It returns how many it marked.
	FailOrphanedRuns(ctx context.Context, conn, holder, reason string) (int, error)
}

// Lease is one connection's run lease.
type Lease struct {
	Connection string    `json:"connection"`
	Holder     string    `json:"holder"`
	AcquiredAt time.Time `json:"acquiredAt"`
	ExpiresAt  time.Time `json:"expiresAt"`
}

// ErrLeaseLost is returned by RenewLease when the lease is no longer ours.
var ErrLeaseLost = errors.New("lease lost")

// ErrLeaseHeld is matched (errors.Is) by every *LeaseHeldError.
var ErrLeaseHeld = errors.New("lease held")

// LeaseHeldError says who runs a connection right now.
type LeaseHeldError struct {
	Lease Lease
}

func (e *LeaseHeldError) Error() string {
	return fmt.Sprintf("connection %q is being synced by %s (since %s; its lease expires at %s unless renewed)",
		e.Lease.Connection, e.Lease.Holder, e.Lease.AcquiredAt.Local().Format(time.DateTime), e.Lease.ExpiresAt.Local().Format(time.DateTime))
}

// Is makes errors.Is(err, ErrLeaseHeld) true.
func (e *LeaseHeldError) Is(target error) bool { return target == ErrLeaseHeld }

// Schedules keeps the scheduler's per-connection state: paused or not, the
// last scheduled firing some instance claimed, and pending "run now"
// requests.
type Schedules interface {
	// GetScheduleState returns a connection's state; a connection never
	// scheduled has the zero state (not an error).
	GetScheduleState(ctx context.Context, conn string) (ScheduleState, error)
	SetPaused(ctx context.Context, conn string, paused bool) error
	// RequestRun asks the scheduler to run the connection as soon as it can;
	// full asks for a read from scratch.
	RequestRun(ctx context.Context, conn string, full bool) error
	// TakeRunRequest clears and returns a pending request, if any.
	TakeRunRequest(ctx context.Context, conn string) (requested, full bool, err error)
	// ClaimFiring records that the firing scheduled at fire is being run.
	// Exactly one caller per connection and fire time gets true, however
	// many schedulers share the store.
	ClaimFiring(ctx context.Context, conn string, fire time.Time) (bool, error)
	// SetNextRun records when the connection runs next, for display.
	SetNextRun(ctx context.Context, conn string, next time.Time) error
	// ClearChangeToken forgets the connection's change token, so that the
	// next run reads everything from scratch ("restart provisioning").
	ClearChangeToken(ctx context.Context, conn string) error
}

// ScheduleState is the scheduler's record of one connection.
type ScheduleState struct {
	Connection     string     `json:"connection"`
	Paused         bool       `json:"paused"`
	LastFire       *time.Time `json:"lastFire,omitempty"`
	NextRunAt      *time.Time `json:"nextRunAt,omitempty"`
	RunRequestedAt *time.Time `json:"runRequestedAt,omitempty"`
	RunFull        bool       `json:"runFull,omitempty"`
}

// History answers questions about past runs: why a user is or is not
// synced, what /metrics reports, and what retention removes.
type History interface {
	// FindOutcomes returns the newest outcomes whose userId (compared
	// without case) or externalId is key, newest first; conn, when not
	// empty, limits them to one connection.
	FindOutcomes(ctx context.Context, conn, key string, limit int) ([]Outcome, error)
	// PruneRuns deletes finished runs (and their outcomes) started before
	// before and returns how many it deleted. Running runs and runs waiting
	// for approval are kept.
	PruneRuns(ctx context.Context, before time.Time) (int, error)
	// RunStats totals the recorded runs by connection, trigger and status.
	RunStats(ctx context.Context) ([]RunStat, error)
	// UserCounts counts users by connection (empty for local users) and status.
	UserCounts(ctx context.Context) ([]UserCount, error)
}

// RunStat is the total of the recorded runs of one connection, trigger and status.
type RunStat struct {
	Connection  string
	Trigger     string
	Status      string
	Runs        int64
	DurationMs  int64
	EntriesRead int64
}

// UserCount is how many users of one connection have one status.
type UserCount struct {
	Connection string
	Status     string
	Users      int64
}

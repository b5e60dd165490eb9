package store

import (
	"context"
	"time"
)

// DefaultSCIMRequestRetention is how long the SCIM request log keeps an
// entry when the operator does not choose: long enough to compare two of
// Entra's 40-minute provisioning cycles a week apart.
const DefaultSCIMRequestRetention = 7 * 24 * time.Hour

// SCIMRequests is the request log of SCIM connections: what a provisioning
// client such as Entra ID actually sent, and what usersync answered.
type SCIMRequests interface {
	// AddSCIMRequests stores entries in one transaction. Entries of a
	// connection that does not exist (any more) are dropped, since a log
	// entry must not outlive the connection's other personal data.
	AddSCIMRequests(ctx context.Context, entries []SCIMRequest) error
	// ListSCIMRequests returns a connection's entries, newest first.
	ListSCIMRequests(ctx context.Context, q SCIMRequestQuery) ([]SCIMRequest, error)
	// SCIMRequestByID returns the entry with the given request id, the
	// link a run outcome carries to the request that caused it.
	SCIMRequestByID(ctx context.Context, requestID string) (SCIMRequest, error)
	// PurgeSCIMRequests forgets the entries logged before cutoff and
	// returns how many it forgot.
	PurgeSCIMRequests(ctx context.Context, cutoff time.Time) (int, error)
}

// SCIMRequest is one request to a SCIM connection. The body is stored with
// secrets already redacted; the Authorization header is never stored.
type SCIMRequest struct {
	// ID is the store's row number, increasing in the order of logging.
	ID int64
	// RequestID is the random id the response carried in X-Request-Id.
	RequestID  string
	Connection string
	At         time.Time
	Method     string
	// Path is the request path below the connection with its query, such
	// as "/Users?filter=userName eq \"a\"".
	Path     string
	Status   int
	Duration time.Duration
	// ResourceID is the SCIM id of the User or Group the request was
	// about, from the path or, for a create, from the response.
	ResourceID string
	// UserName is the userName the request or its response carried.
	UserName string
	// Body is the redacted request body.
	Body string
}

// SCIMRequestQuery selects entries of one connection.
type SCIMRequestQuery struct {
	Connection string
	// User keeps the entries about one user, given by userName (compared
	// case-insensitively) or by SCIM id: a PATCH that names the user only
	// by id is found by the userName an earlier request gave that id.
	User string
	// BeforeID keeps entries older than this row id, for paging; 0 means
	// from the newest.
	BeforeID int64
	// Limit caps the number of entries; 0 means 100.
	Limit int
}

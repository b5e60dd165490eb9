package store

import (
	"context"
	"time"
)

// SCIM resource kinds.
const (
	SCIMUser  = "User"
	SCIMGroup = "Group"
)

// SCIMToken is a bearer token a SCIM client (Entra ID, Okta) presents to
// one SCIM connection. Only the SHA-256 of the token is stored; the token
// itself is shown once, when it is created.
type SCIMToken struct {
	ID         int64      `json:"id"`
	Connection string     `json:"connection"`
	Name       string     `json:"name"`
	Hash       string     `json:"-"`
	CreatedBy  string     `json:"createdBy"`
	CreatedAt  time.Time  `json:"createdAt"`
	LastUsedAt *time.Time `json:"lastUsedAt,omitempty"`
}

// SCIMResource is a User or Group as a SCIM client last wrote it. ID is
// the id usersync gave it; NameKey is the lower-cased userName of a user
// (unique per connection, as RFC 7643 makes userName case-insensitive)
// and empty for a group. Body is the resource's JSON.
type SCIMResource struct {
	Connection string
	Kind       string
	ID         string
	NameKey    string
	ExternalID string
	Body       []byte
	Version    int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// SCIMQuery selects the resources of one kind of one connection; NameKey
// and ExternalID, when set, must match exactly.
type SCIMQuery struct {
	Connection string
	Kind       string
	NameKey    string
	ExternalID string
}

// SCIM stores what a SCIM connection's clients wrote and their tokens.
type SCIM interface {
	// CreateSCIMToken stores a token; a name the connection already uses is
	// ErrConflict.
	CreateSCIMToken(ctx context.Context, t SCIMToken) (int64, error)
	// SCIMTokenByHash finds a token by the SHA-256 of its value and records
	// its use (to the minute); an unknown hash is ErrNotFound.
	SCIMTokenByHash(ctx context.Context, hash string) (SCIMToken, error)
	// ListSCIMTokens returns a connection's tokens, oldest first.
	ListSCIMTokens(ctx context.Context, conn string) ([]SCIMToken, error)
	// DeleteSCIMToken revokes a token of a connection; an unknown id is
	// ErrNotFound.
	DeleteSCIMToken(ctx context.Context, conn string, id int64) error
	// PutSCIMResource creates (create true) or replaces a resource. A
	// NameKey another resource of the connection holds is ErrConflict; a
	// replace of an unknown id is ErrNotFound. It returns the new version.
	PutSCIMResource(ctx context.Context, r SCIMResource, create bool) (SCIMResource, error)
	// GetSCIMResource returns one resource, or ErrNotFound.
	GetSCIMResource(ctx context.Context, conn, kind, id string) (SCIMResource, error)
	// ListSCIMResources returns the matching resources ordered by creation.
	ListSCIMResources(ctx context.Context, q SCIMQuery) ([]SCIMResource, error)
	// DeleteSCIMResource removes a resource; an unknown id is ErrNotFound.
	DeleteSCIMResource(ctx context.Context, conn, kind, id string) error
	// IndexEntries returns the index entries of the connection's
	// directory users linked to the given external ids, and how many of
	// the connection's directory users are active: what a run that names
	// only these users needs of the index, without reading all of it.
	IndexEntries(ctx context.Context, conn string, exts []string) ([]IndexEntry, int, error)
}

// TriggerSCIM marks a run that applies what a SCIM client pushed.
const TriggerSCIM = "scim"

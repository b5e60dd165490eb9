package store

import (
	"context"
	"time"
)

// Admin is an administrator of the web UI and the API. The password is kept
// only as a bcrypt hash.
type Admin struct {
	Name         string
	PasswordHash string
	CreatedAt    time.Time
	// Role is RoleAdmin or RoleOperator; empty is stored as RoleAdmin.
	Role string
	// Disabled administrators cannot log in, and their sessions and
	// tokens stop working.
	Disabled bool
}

// Session is a logged-in browser session. IDHash is the SHA-256 of the
// session id in the cookie, so that a copy of the store does not hold live
// session ids. CSRFToken is the session's synchronizer token.
type Session struct {
	IDHash    string
	Admin     string
	CSRFToken string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// APIToken is a bearer token for automation. Only the SHA-256 of the token
// is stored; the token itself is shown once, when it is created.
type APIToken struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Hash       string     `json:"-"`
	CreatedBy  string     `json:"createdBy"`
	CreatedAt  time.Time  `json:"createdAt"`
	LastUsedAt *time.Time `json:"lastUsedAt,omitempty"`
	// Scope is what the token may do: TokenScopeRead, TokenScopeRun or
	// TokenScopeAdmin.
	Scope string `json:"scope"`
	// ExpiresAt is when the token stops working.
	ExpiresAt time.Time `json:"expiresAt"`
}

// API token scopes: read may only read; run may also start, cancel, approve
// and reject runs; admin may do everything an administrator may.
const (
	TokenScopeRead  = "read"
	TokenScopeRun   = "run"
	TokenScopeAdmin = "admin"
)

// Admins stores the administrators of the web UI and the API.
type Admins interface {
	// CreateAdmin stores a new administrator; an existing name is
	// ErrConflict.
	CreateAdmin(ctx context.Context, a Admin) error
	// GetAdmin returns one administrator, or ErrNotFound.
	GetAdmin(ctx context.Context, name string) (Admin, error)
	CountAdmins(ctx context.Context) (int, error)
	// ListAdmins returns every administrator, by name.
	ListAdmins(ctx context.Context) ([]Admin, error)
	// UpdateAdmin sets an administrator's role and disabled flag. A change
	// that would leave no enabled administrator with the admin role is
	// ErrLastAdmin and changes nothing, also when two such changes race;
	// an unknown name is ErrNotFound.
	UpdateAdmin(ctx context.Context, name, role string, disabled bool) error
}

// Sessions stores logged-in browser sessions.
type Sessions interface {
	CreateSession(ctx context.Context, s Session) error
	// GetSession returns a session that has not expired; an unknown or
	// expired one is ErrNotFound.
	GetSession(ctx context.Context, idHash string) (Session, error)
	// DeleteSession removes a session; an unknown one is not an error.
	DeleteSession(ctx context.Context, idHash string) error
}

// APITokens stores the hashes of the API's bearer tokens.
type APITokens interface {
	// CreateAPIToken stores a token under a unique name (an existing name
	// is ErrConflict) and returns its id.
	CreateAPIToken(ctx context.Context, t APIToken) (int64, error)
	// APITokenByHash finds a token by the SHA-256 of its value and records
	// its use; an unknown hash is ErrNotFound.
	APITokenByHash(ctx context.Context, hash string) (APIToken, error)
	// ListAPITokens returns every token, oldest first.
	ListAPITokens(ctx context.Context) ([]APIToken, error)
	// DeleteAPIToken revokes a token; an unknown id is ErrNotFound.
	DeleteAPIToken(ctx context.Context, id int64) error
}

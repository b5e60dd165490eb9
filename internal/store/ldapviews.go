package store

import (
	"context"
	"time"
)

// LDAPView is a published view: the users of some connections served over
// LDAP under one base DN, with application fields mapped onto
// inetOrgPerson attributes. Package ldapserve validates and serves it; the
// store keeps it as a document.
type LDAPView struct {
	Name   string `json:"name"`
	BaseDN string `json:"baseDN"`
	// Connections names the connections whose users the view includes;
	// "*" includes every connection and the local users.
	Connections []string `json:"connections"`
	// Preset names the attribute table used when Attributes is empty:
	// "inetOrgPerson" (the default) or "phoneBook" (names, numbers and
	// mail for IP phones' directory lookup).
	Preset string `json:"preset,omitempty"`
	// Attributes maps an LDAP attribute name to the application field that
	// fills it; userId is the user's userId.
	Attributes map[string]string `json:"attributes,omitempty"`
	// IncludeInactive makes inactive users appear too.
	IncludeInactive bool `json:"includeInactive,omitempty"`
	// AllowAnonymous lets an unauthenticated client read the view.
	AllowAnonymous bool      `json:"allowAnonymous,omitempty"`
	CreatedAt      time.Time `json:"createdAt"`
	UpdatedAt      time.Time `json:"updatedAt"`
}

// LDAPAccount is a service account that may bind to the LDAP interface and
// read one view. Only the password's hash is kept.
type LDAPAccount struct {
	View         string    `json:"view"`
	Name         string    `json:"name"`
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"createdAt"`
}

// LDAPViews stores published views, their service accounts, and answers the
// indexed lookups the LDAP interface needs.
type LDAPViews interface {
	// PutLDAPView creates or replaces a view by name.
	PutLDAPView(ctx context.Context, v LDAPView) error
	GetLDAPView(ctx context.Context, name string) (LDAPView, error)
	// ListLDAPViews returns every view ordered by name.
	ListLDAPViews(ctx context.Context) ([]LDAPView, error)
	// DeleteLDAPView removes a view and its service accounts.
	DeleteLDAPView(ctx context.Context, name string) error
	// PutLDAPAccount creates or replaces a view's service account; an
	// unknown view is ErrNotFound.
	PutLDAPAccount(ctx context.Context, a LDAPAccount) error
	// GetLDAPAccount returns a view's account by name, compared exactly.
	GetLDAPAccount(ctx context.Context, view, name string) (LDAPAccount, error)
	// ListLDAPAccounts returns a view's accounts ("" for every view).
	ListLDAPAccounts(ctx context.Context, view string) ([]LDAPAccount, error)
	DeleteLDAPAccount(ctx context.Context, view, name string) error
	// FindUsersByEmail returns the users whose email field equals email,
	// compared case-insensitively, through an index rather than a scan.
	FindUsersByEmail(ctx context.Context, email string) ([]User, error)
}

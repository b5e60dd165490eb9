package store

import "time"

// Admin is an administrator of the web UI and the API. The password is kept
// only as a bcrypt hash.
type Admin struct {
	Name         string
	PasswordHash string
	CreatedAt    time.Time
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
}

// Package directory says what usersync needs from a directory: read its user
// entries completely or not at all. Implementations live in subpackages
// (ldap today); optional capabilities, such as reading only the changes since
// a token, are separate interfaces found by type assertion.
package directory

import (
	"context"
	"errors"
	"strings"
)

// Entry is one directory object. Attribute names are lower-cased so that
// lookups are case-insensitive, as LDAP attribute descriptions are.
type Entry struct {
	DN    string
	Attrs map[string][]string
}

// Values returns all values of an attribute (name in any case).
func (e *Entry) Values(name string) []string {
	if v, ok := e.Attrs[name]; ok {
		return v
	}
	// Mappings name attributes in their schema case (displayName): lower-case
	// short ASCII names on the stack, since this runs for every mapped field
	// of every entry and strings.ToLower would allocate each time.
	var buf [64]byte
	if len(name) > len(buf) {
		return e.Attrs[strings.ToLower(name)]
	}
	b := buf[:len(name)]
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 0x80 {
			return e.Attrs[strings.ToLower(name)]
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	return e.Attrs[string(b)] // a map index by string(bytes) does not allocate
}

// Get returns the first value of an attribute, or "".
func (e *Entry) Get(name string) string {
	if v := e.Values(name); len(v) > 0 {
		return v[0]
	}
	return ""
}

// Query is a search for user entries.
type Query struct {
	BaseDN     string
	Filter     string
	Attributes []string
	PageSize   int
}

// Reader reads entries. Search calls fn for every entry and returns nil only
// when the whole result was read: every page, no size or time limit, no
// connection error. Callers rely on that to decide deactivations (DESIGN.md
// invariant 1), so an implementation must never report a partial read as
// complete, not even one cut short by a cancelled context.
type Reader interface {
	Search(ctx context.Context, q Query, fn func(*Entry) error) error
	Close() error
}

// Flavor names the kind of server behind a connection, read from its root DSE.
type Flavor string

// Known directory flavors.
const (
	FlavorActiveDirectory Flavor = "Active Directory"
	FlavorOpenLDAP        Flavor = "OpenLDAP"
	FlavorOther           Flavor = "other LDAP"
)

// ChangeReader is the optional capability of reading only what changed
// since a token (OpenLDAP's syncrepl cookie today). Changes has Search's
// contract: nil only when the server reported the refresh complete; any
// other end, a cancelled context included, is an error, and a caller must
// then neither deactivate anyone nor save the token.
type ChangeReader interface {
	// Token returns a token for the directory's state now. Taken before a
	// full read, it lets the next run read only what changed after it.
	Token(ctx context.Context, q Query) (string, error)
	// Changes reads what changed since token.
	Changes(ctx context.Context, q Query, token string, h ChangeHandler) (ChangeResult, error)
}

// ChangeHandler receives an incremental read. IDs are values of the
// linking key the server identifies entries by (entryUUID for syncrepl).
type ChangeHandler struct {
	// Entry is called for each added or modified entry.
	Entry func(*Entry) error
	// Deleted is called for each entry removed since the token.
	Deleted func(id string) error
	// Present is called for each entry the server reports unchanged, in a
	// refresh that enumerates everything (see ChangeResult.Complete).
	Present func(id string) error
}

// ChangeResult ends a complete incremental read.
type ChangeResult struct {
	// Token is the token to save with the changes ("" when it did not move).
	Token string
	// Complete says the server could not send only the changes (its change
	// log no longer covers the token) and enumerated every entry instead,
	// through Entry and Present: an entry reported by neither is gone.
	Complete bool
}

// ErrTokenExpired means the server refused the token; only a full read can
// bring the application in step.
var ErrTokenExpired = errors.New("the change token is no longer accepted; a full read is needed")

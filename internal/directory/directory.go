// Package directory says what usersync needs from a directory: read its user
// entries completely or not at all. Implementations live in subpackages
// (ldap today); optional capabilities, such as reading only the changes since
// a token, are separate interfaces found by type assertion.
package directory

import (
	"context"
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
// connection error. Callers rely on that to decide deactivations (a
// complete read before deactivation), so an implementation must never report a partial read as
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

package directory

import (
	"context"
	"errors"
)

// ChangeReader is the optional capability of reading only what changed since
// a token (a USN watermark, a DirSync cookie, a syncrepl cookie).
// Callers find it with a type assertion on a Reader.
//
// Entries of every kind carry the directory's immutable identifier
// (objectGUID on Active Directory, entryUUID on OpenLDAP); Changed entries
// carry the attributes the query asked for as well.
type ChangeReader interface {
	// ChangeToken returns a token naming the directory's state now. Take it
	// before a full read and save it with that read's results: changes made
	// during the read are then read again next time, never lost.
	ChangeToken(ctx context.Context, q Query) (string, error)
	// ReadChanges calls fn for every change since the state since names,
	// like Reader.Search: it returns nil only when every change was read.
	// When since cannot be used (the directory was restored, the token
	// comes from another server, or the server's change log no longer
	// covers it), it returns an error wrapping ErrTokenExpired, and the
	// caller reads everything instead; the changes fn saw until then are
	// true, only incomplete.
	ReadChanges(ctx context.Context, q Query, since string, fn func(Change) error) error
}

// ErrTokenExpired means a change token can no longer be used: only a full
// read is correct.
var ErrTokenExpired = errors.New("change token expired")

// ChangeKind says what happened to an entry.
type ChangeKind int

// Change kinds.
const (
	// Changed: the entry matches the query and changed since the token.
	Changed ChangeKind = iota
	// Left: the entry changed and no longer matches the query's base and
	// filter (it was moved out of the search path, or edited out of the
	// filter). Its Entry holds only the identifier.
	Left
	// Deleted: the object was deleted. Its Entry holds only the identifier.
	Deleted
	// SoftDeleted: the object was deleted but can still be restored (Entra
	// ID keeps deleted users for 30 days). Its user is deactivated, never
	// deleted, whatever the leave policy. Its Entry holds only the
	// identifier.
	SoftDeleted
)

// String names the kind for messages.
func (k ChangeKind) String() string {
	switch k {
	case Changed:
		return "changed"
	case Left:
		return "left the search scope"
	case Deleted:
		return "deleted"
	case SoftDeleted:
		return "soft-deleted"
	}
	return "unknown"
}

// Change is one entry read by ReadChanges.
type Change struct {
	Kind  ChangeKind
	Entry *Entry
}

// TokenAfterRead is the optional capability of a ChangeReader whose next
// change token is known only once a read has ended: Microsoft Graph hands
// out its deltaLink on the last page of a delta read, never before. The
// engine asks for it after a complete read and saves it in place of the one
// ChangeToken returned; ok false saves no token, so the next run reads
// from the token saved before (a replay, which is harmless) or in full.
type TokenAfterRead interface {
	TokenAfterRead() (token string, ok bool)
}

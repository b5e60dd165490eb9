package store

import "fmt"

// Two active users never share a userId, compared case-insensitively,
// whatever their connections or sources: a write that would make a second
// one fails with ErrConflict (a *HeldError when the holder is known).

// HeldError is a write refused because another active user holds the
// userId. It matches ErrConflict.
type HeldError struct {
	UserID string
	Holder User
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("userId %q is already held by %s", e.UserID, Describe(e.Holder))
}

// Is makes errors.Is(err, ErrConflict) true for a HeldError.
func (e *HeldError) Is(target error) bool { return target == ErrConflict }

// Describe names a user for a message: its userId, source and, for a
// directory user, its connection and external id.
func Describe(u User) string {
	if u.Source == SourceLocal {
		return fmt.Sprintf("local user %q (row %d)", u.UserID, u.ID)
	}
	return fmt.Sprintf("user %q of connection %q (%s, row %d)", u.UserID, u.Connection, u.ExternalID, u.ID)
}

// UpdatesLeavingFirst returns the batch's updates with those that make a
// user inactive first: the userIds they free may be taken by the others.
func (b *Batch) UpdatesLeavingFirst() []User {
	out := make([]User, 0, len(b.Updates))
	for _, active := range []bool{false, true} {
		for _, u := range b.Updates {
			if (u.Status == StatusActive) == active {
				out = append(out, u)
			}
		}
	}
	return out
}

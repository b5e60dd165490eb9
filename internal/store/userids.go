package store

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

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

// UserIDKey is the form in which userIds are compared: Unicode simple case
// folding, so that two userIds have the same key exactly when
// strings.EqualFold holds for them ("JÜRGEN" and "jürgen", "ẞ" and "ß",
// the Kelvin sign and "k"), whatever the database's own lower() or locale
// does. Each rune becomes the smallest lower-case rune of its case-folding
// orbit, or the smallest rune of the orbit when none is lower case. The
// stores keep the key of every user in a column, and the unique index of
// active userIds is on it.
func UserIDKey(userID string) string {
	ascii := true
	for i := 0; i < len(userID); i++ {
		if userID[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(userID)
	}
	var b strings.Builder
	b.Grow(len(userID))
	for _, r := range userID {
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

// foldRune returns the representative of r's simple case-folding orbit.
func foldRune(r rune) rune {
	best, bestLower := r, unicode.IsLower(r)
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		switch lower := unicode.IsLower(f); {
		case lower && !bestLower, lower == bestLower && f < best:
			best, bestLower = f, lower
		}
	}
	return best
}

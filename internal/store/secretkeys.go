package store

import (
	"context"
	"errors"
)

// ErrKeyChanged is returned by Reseal when the recorded key fingerprint is
// not the one the caller expected: another process recorded or rotated the
// key meanwhile, and nothing was changed.
var ErrKeyChanged = errors.New("the recorded secret key changed")

// Sealed is one value the store keeps sealed by package secret.
type Sealed struct {
	// What names the value for an operator, such as `connection "corp" password`.
	What  string
	Value string
}

// SecretKeys records which secret key seals the store's values, so that a
// store is never sealed with two keys, and re-seals them under another key.
// Both stores implement it beside store.Store.
type SecretKeys interface {
	// KeyFingerprint returns the fingerprint of the key the store's values
	// are sealed with, or "" when none is recorded yet.
	KeyFingerprint(ctx context.Context) (string, error)
	// Reseal calls fn for every non-empty sealed value in the store, stores
	// what fn returns in its place and records fingerprint, all in one
	// transaction. It first checks that the recorded fingerprint is still
	// expected ("" for none) and otherwise returns ErrKeyChanged. When fn
	// fails, its error is returned and nothing changes.
	Reseal(ctx context.Context, expected, fingerprint string, fn func(Sealed) (string, error)) error
}

package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/usersync/usersync/internal/secret"
	"github.com/usersync/usersync/internal/store"
)

// ErrKeyMismatch means the secret key in use is not the key the store's
// values are sealed with. Nothing is sealed or opened under it.
var ErrKeyMismatch = errors.New("secret key mismatch")

// keys returns the store's key fingerprint records.
func (a *App) keys() (store.SecretKeys, error) {
	k, ok := a.Store.(store.SecretKeys)
	if !ok {
		return nil, fmt.Errorf("secret key: store %T keeps no key fingerprint", a.Store)
	}
	return k, nil
}

// CheckSecretKey makes sure the store is sealed with one key only: the
// key this App holds. A store that has no fingerprint yet records this key's,
// after checking that every value already sealed in it opens with this key.
// A store that records another key's fingerprint is refused with
// ErrKeyMismatch; source says where the key came from, for the message.
func (a *App) CheckSecretKey(ctx context.Context, source string) error {
	k, err := a.keys()
	if err != nil {
		return err
	}
	want := a.Box.Fingerprint()
	for attempt := 0; ; attempt++ {
		fp, err := k.KeyFingerprint(ctx)
		if err != nil {
			return err
		}
		if fp == want {
			return nil
		}
		if fp != "" {
			return fmt.Errorf("%w: the secret key from %s is not the key this store's secrets are sealed with: "+
				"start usersync with the store's key in USERSYNC_SECRET_KEY or the key file (USERSYNC_SECRET_KEY_FILE); "+
				"to change keys, run `usersync key rotate --new-key-file F` with the current key", ErrKeyMismatch, source)
		}
		err = k.Reseal(ctx, "", want, func(v store.Sealed) (string, error) {
			if _, err := a.Box.Open(v.Value); err != nil {
				return "", fmt.Errorf("%w: %s cannot be opened with the secret key from %s (was the key changed?): "+
					"start usersync with the key it was sealed with: %w", ErrKeyMismatch, v.What, source, err)
			}
			return v.Value, nil
		})
		// Another process recorded a fingerprint meanwhile: compare again.
		if errors.Is(err, store.ErrKeyChanged) && attempt == 0 {
			continue
		}
		return err
	}
}

// sealCheck refuses to seal a value when the store records another key's
// fingerprint, as it does after `usersync key rotate` while this process
// still holds the old key.
func (a *App) sealCheck(ctx context.Context) error {
	k, err := a.keys()
	if err != nil {
		return err
	}
	fp, err := k.KeyFingerprint(ctx)
	if err != nil {
		return err
	}
	if fp != "" && fp != a.Box.Fingerprint() {
		return fmt.Errorf("%w: the store's secrets are sealed with another key (rotated with `usersync key rotate`?): "+
			"restart usersync with the store's key in USERSYNC_SECRET_KEY or the key file", ErrKeyMismatch)
	}
	return nil
}

// RotateSecretKey re-seals every sealed value in the store under next and
// records next's fingerprint, in one transaction: a value that cannot be
// opened with the current key fails the rotation, naming the value, and
// changes nothing. It returns how many values were re-sealed. The App keeps
// its current key; it must be reopened with next.
func (a *App) RotateSecretKey(ctx context.Context, next *secret.Box) (_ int, err error) {
	defer func() { a.auditIf(ctx, err, AuditKeyRotate, "secret key", "") }()
	k, err := a.keys()
	if err != nil {
		return 0, err
	}
	if next.Fingerprint() == a.Box.Fingerprint() {
		return 0, usagef("the new secret key is the current key: give a different one")
	}
	n := 0
	err = k.Reseal(ctx, a.Box.Fingerprint(), next.Fingerprint(), func(v store.Sealed) (string, error) {
		plain, err := a.Box.Open(v.Value)
		if err != nil {
			return "", fmt.Errorf("key rotate: %s cannot be opened with the current key; nothing was re-sealed: %w", v.What, err)
		}
		n++
		return next.Seal(plain)
	})
	if errors.Is(err, store.ErrKeyChanged) {
		return 0, fmt.Errorf("key rotate: another process changed the store's key meanwhile; nothing was re-sealed: %w", err)
	}
	if err != nil {
		return 0, err
	}
	return n, nil
}

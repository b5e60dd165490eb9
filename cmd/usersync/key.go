package main

import (
	"context"
	"fmt"
	"os"

	"github.com/usersync/usersync/internal/secret"
)

// envNewKey names the environment variable that may hold the new key for
// `usersync key rotate`.
const envNewKey = "USERSYNC_NEW_SECRET_KEY"

// runKey is `usersync key rotate`: it re-seals every secret in the store
// under a new key, read from --new-key-file or USERSYNC_NEW_SECRET_KEY, in
// one transaction, and records the new key's fingerprint. The current key
// comes from where every command takes it.
func runKey(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "rotate" {
		return fmt.Errorf("%w: key needs a subcommand: rotate --new-key-file F (or %s)", errUsage, envNewKey)
	}
	fs := newFlags("key rotate", e.stderr)
	newKeyFile := fs.String("new-key-file", "", "file holding the new secret key (mode 0600)")
	if _, err := fs.parse(args[1:], 0, "no arguments"); err != nil {
		return err
	}
	next, err := newKey(*newKeyFile)
	if err != nil {
		return err
	}
	a, err := fs.open(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	n, err := a.RotateSecretKey(ctx, next)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "re-sealed %d secret(s) under the new key\n", n)
	fmt.Fprintln(e.stderr, "The store now opens only with the new key: give it to every usersync process as "+
		secret.EnvKey+", USERSYNC_SECRET_KEY_FILE or the key file, and restart any that still run with the old one.")
	return nil
}

// newKey reads the new key from file, or else from USERSYNC_NEW_SECRET_KEY;
// exactly one must be given.
func newKey(file string) (*secret.Box, error) {
	env := os.Getenv(envNewKey)
	switch {
	case file != "" && env != "":
		return nil, fmt.Errorf("%w: key rotate: give the new key either with --new-key-file or in %s, not both", errUsage, envNewKey)
	case file != "":
		b, err := secret.LoadFile(file)
		if err != nil {
			return nil, fmt.Errorf("%w: key rotate: --new-key-file: %w", errUsage, err)
		}
		return b, nil
	case env != "":
		return secret.New([]byte(env))
	}
	return nil, fmt.Errorf("%w: key rotate: no new key: give --new-key-file F or set %s", errUsage, envNewKey)
}

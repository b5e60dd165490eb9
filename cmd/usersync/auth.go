package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
)

func runAuth(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "check" {
		return fmt.Errorf("%w: auth needs a subcommand: check USER", errUsage)
	}
	fs := newFlags("auth check", e.stderr)
	pos, err := fs.parse(args[1:], 1, "a USER (login@domain, DOMAIN\\login or login); the password is read from standard input")
	if err != nil {
		return err
	}
	pw, err := readPassword(e.stdin)
	if err != nil {
		return err
	}
	a, err := fs.open(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Authenticate(ctx, pos[0], pw)
	if err != nil {
		// The operator sees the precise reason; the REST layer shows
		// app.PublicAuthError(err) instead.
		fmt.Fprintf(e.stdout, "authentication failed: %s\n", authReason(err))
		fmt.Fprintln(e.stderr, "usersync:", err)
		return errRunFailed
	}
	where := "local user"
	if u.Source == store.SourceDirectory {
		where = "directory user of connection " + u.Connection
	}
	fmt.Fprintf(e.stdout, "authenticated %s (%s)\n", termSafe(u.UserID), termSafe(where))
	return nil
}

// authReason names the sentinel an authentication error matches.
func authReason(err error) string {
	for _, s := range []error{app.ErrUnknownUser, app.ErrWrongPassword, app.ErrAccountDisabled, app.ErrAccountLocked,
		app.ErrDirectoryUnreachable, app.ErrPlainTextRefused} {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	return "error"
}

// readPassword reads the first line of r, without its line ending, so that
// a password never appears in a process list or a shell history.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", fmt.Errorf("%w: no password on standard input", errUsage)
	}
	return pw, nil
}

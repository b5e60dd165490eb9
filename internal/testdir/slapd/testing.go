package slapd

import (
	"bytes"
	"context"
	"os"
	"testing"
)

// Start starts a server with n generated users in groups groups for a test,
// and stops it when the test ends. Without slapd installed the test is
// skipped, unless USERSYNC_INTEGRATION=1 (as in CI), where it fails: a missing
// directory must never pass as green.
func Start(t testing.TB, n, groups int) *Server {
	t.Helper()
	Require(t)
	var ldif bytes.Buffer
	if err := WriteUsers(&ldif, n, groups); err != nil {
		t.Fatal(err)
	}
	return StartLDIF(t, ldif.Bytes())
}

// StartLDIF starts a server loaded with the given LDIF.
func StartLDIF(t testing.TB, ldif []byte) *Server {
	t.Helper()
	Require(t)
	s, err := New(context.Background(), t.TempDir(), Options{LDIF: ldif})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// Require skips or fails the test when slapd is missing, as Start does.
func Require(t testing.TB) {
	t.Helper()
	if Installed() {
		return
	}
	if os.Getenv("USERSYNC_INTEGRATION") == "1" {
		t.Fatalf("%v; USERSYNC_INTEGRATION=1 requires it", ErrNotInstalled)
	}
	t.Skipf("%v (set USERSYNC_INTEGRATION=1 to make this a failure)", ErrNotInstalled)
}

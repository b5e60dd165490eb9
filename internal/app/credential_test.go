package app_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/testdir/apptest"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// A dry run with overridden settings may not point the stored password at
// another server: the override is held to the same rule as a save.
func TestPreviewOverrideCannotMoveThePassword(t *testing.T) {
	s := slapd.Start(t, 1, 0)
	a := apptest.Open(t, "", slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	c := connection.Connection{Name: "corp", DNSName: "127.0.0.1", Port: s.Port, Security: connection.SecurityNone,
		Username: slapd.AdminDN, Password: slapd.AdminPassword, SearchPath: slapd.PeopleDN}
	if _, _, err := a.PutConnection(ctx, c); err != nil {
		t.Fatal(err)
	}
	_, err := a.Sync(ctx, "corp", app.SyncOptions{DryRun: true, Override: func(c *connection.Connection) { c.Port = 1 }})
	if err == nil || !strings.Contains(err.Error(), "password: is required again because port changed") {
		t.Fatalf("override moving the connection: %v", err)
	}
	if _, err := a.Sync(ctx, "corp", app.SyncOptions{DryRun: true, Override: func(c *connection.Connection) { c.FriendlyName = "x" }}); err != nil {
		t.Fatalf("override keeping the endpoint: %v", err)
	}
}

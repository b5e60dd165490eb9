package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/apptest"
)

// Events are kept in the store for a configurable retention: a bad value
// names the variable; events younger than the retention stay, older ones go.
func TestEventRetention(t *testing.T) {
	for _, bad := range []string{"soon", "-1h", "0s"} {
		t.Setenv(app.EnvEventRetention, bad)
		if _, err := app.EventRetention(); err == nil || !strings.Contains(err.Error(), app.EnvEventRetention) {
			t.Errorf("%s=%q: %v, want an error naming the variable", app.EnvEventRetention, bad, err)
		}
	}
	t.Setenv(app.EnvEventRetention, "")
	if d, err := app.EventRetention(); err != nil || d != app.DefaultEventRetention {
		t.Fatalf("default retention = %s, %v", d, err)
	}
	a := apptest.Open(t, "", nil)
	ctx := context.Background()
	if _, err := a.Store.CreateLocalUser(ctx, store.User{UserID: "ann", Status: store.StatusActive}); err != nil {
		t.Fatal(err)
	}
	t.Setenv(app.EnvEventRetention, "1h")
	if n, err := a.PruneEvents(ctx); err != nil || n != 0 {
		t.Fatalf("pruning a fresh event = %d, %v; want it kept", n, err)
	}
	time.Sleep(5 * time.Millisecond) // events are stamped to the millisecond
	t.Setenv(app.EnvEventRetention, "1ns")
	if n, err := a.PruneEvents(ctx); err != nil || n != 1 {
		t.Fatalf("pruning past a 1ns retention = %d, %v; want 1", n, err)
	}
}

// PruneEventsEvery keeps the retention without runs, and stops with its
// context.
func TestPruneEventsEvery(t *testing.T) {
	a := apptest.Open(t, "", nil)
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := a.Store.CreateLocalUser(ctx, store.User{UserID: "ann", Status: store.StatusActive}); err != nil {
		t.Fatal(err)
	}
	t.Setenv(app.EnvEventRetention, "1ms")
	done := make(chan struct{})
	go func() { defer close(done); a.PruneEventsEvery(ctx, 5*time.Millisecond) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := a.Store.ListEvents(context.Background(), 0, 10); errors.Is(err, store.ErrEventsPruned) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the event was never pruned")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
}

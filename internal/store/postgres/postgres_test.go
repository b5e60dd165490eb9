package postgres_test

import (
	"context"
	"sync"
	"testing"

	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/store/postgres"
	"github.com/usersync/usersync/internal/store/storetest"
	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
	"github.com/usersync/usersync/internal/web"
)

// Package web imports package app, which imports this store, so the
// assertion that the store serves the web UI lives here.
var _ web.AuthStore = (*postgres.Store)(nil)

func TestMain(m *testing.M) { pgtest.Main(m) }

func open(t *testing.T, url string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, pgtest.URL(t))
	})
}

// TestConcurrentMigrations opens several stores on one empty database at
// once, as instances starting together do: the advisory lock must make one
// migrate and the others find the schema current.
func TestConcurrentMigrations(t *testing.T) {
	url := pgtest.URL(t)
	const n = 6
	var wg sync.WaitGroup
	errs := make([]error, n)
	stores := make([]*postgres.Store, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = postgres.Open(context.Background(), url)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("store %d: %v", i, err)
		} else {
			defer stores[i].Close()
		}
	}
	if t.Failed() {
		return
	}
	// Every store works on the one schema.
	if _, err := stores[0].CreateLocalUser(context.Background(), store.User{UserID: "a"}); err != nil {
		t.Fatal(err)
	}
	if ids, err := stores[n-1].LocalUserIDs(context.Background()); err != nil || !ids["a"] {
		t.Fatalf("LocalUserIDs = %v, %v", ids, err)
	}
	// Reopening applies nothing again.
	open(t, url).Close()
}

package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/store/postgres"
	"github.com/usersync/usersync/internal/store/storetest"
	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
)

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

// TestInstancesRace has two stores on one database (two instances) race
// for one connection's lease, an expired lease and one scheduled firing:
// exactly one contender must win each.
func TestInstancesRace(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	a, b := open(t, url), open(t, url)
	defer a.Close()
	defer b.Close()
	race := func(name string, try func(i int, s *postgres.Store) (bool, error)) {
		t.Helper()
		const n = 16
		var wg sync.WaitGroup
		wins := make([]bool, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := a
				if i%2 == 1 {
					s = b
				}
				ok, err := try(i, s)
				if err != nil {
					t.Errorf("%s %d: %v", name, i, err)
				}
				wins[i] = ok
			}()
		}
		wg.Wait()
		won := 0
		for _, w := range wins {
			if w {
				won++
			}
		}
		if won != 1 {
			t.Errorf("%s: %d winners, want 1", name, won)
		}
	}
	acquire := func(i int, s *postgres.Store) (bool, error) {
		_, err := s.AcquireLease(ctx, "corp", fmt.Sprintf("holder-%d", i), time.Minute)
		if errors.Is(err, store.ErrLeaseHeld) {
			return false, nil
		}
		return err == nil, err
	}
	race("new lease", acquire)
	// Let the lease expire, then race for the take-over.
	l, err := a.GetLease(ctx, "corp")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.RenewLease(ctx, "corp", l.Holder, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	race("expired lease", acquire)
	fire := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	race("firing", func(_ int, s *postgres.Store) (bool, error) { return s.ClaimFiring(ctx, "corp", fire) })
	if err := a.RequestRun(ctx, "corp", true); err != nil {
		t.Fatal(err)
	}
	race("run request", func(_ int, s *postgres.Store) (bool, error) {
		ok, _, err := s.TakeRunRequest(ctx, "corp")
		return ok, err
	})
}

package webhook_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/secret"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/store/postgres"
	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// slowReceiver answers slowly and fails every third request, so that two
// deliverers without a lease would both post the same batch.
type slowReceiver struct {
	mu       sync.Mutex
	requests int
	accepted []int64
}

func (s *slowReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	time.Sleep(10 * time.Millisecond)
	var d struct{ Events []struct{ Seq int64 } }
	if err := decodeJSON(r, &d); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	if s.requests%3 == 0 {
		http.Error(w, "flaky", http.StatusBadGateway)
		return
	}
	for _, e := range d.Events {
		s.accepted = append(s.accepted, e.Seq)
	}
}

// Two usersync serve instances on one PostgreSQL deliver a subscription
// together: the lease lets one at a time deliver it, so the receiver gets
// every event once, in order, whatever instance sent it.
func TestTwoInstancesDeliverOnce(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	t.Setenv(app.EnvWebhookLoopbackHTTP, "1")
	box, err := secret.New([]byte("shared key"))
	if err != nil {
		t.Fatal(err)
	}
	var apps []*app.App
	for range 2 {
		st, err := postgres.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		a := app.New(st, box, nil)
		t.Cleanup(func() { a.Close() })
		apps = append(apps, a)
	}
	rc := &slowReceiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	if _, _, err := apps[0].CreateWebhook(ctx, webhookSpec(srv.URL)); err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		if _, err := apps[i%2].Store.CreateLocalUser(ctx, store.User{UserID: fmt.Sprintf("u%d", i), Status: store.StatusActive}); err != nil {
			t.Fatal(err)
		}
	}
	es, err := apps[0].Store.ListEvents(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]int64, len(es))
	for i, e := range es {
		want[i] = e.Seq
	}
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, a := range apps {
		d := a.Deliverer()
		d.BaseDelay, d.MaxDelay, d.BatchSize = time.Millisecond, 5*time.Millisecond, 4
		wg.Add(1)
		go func() {
			defer wg.Done()
			for runCtx.Err() == nil {
				d.Tick(runCtx)
				time.Sleep(time.Millisecond)
			}
		}()
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		rc.mu.Lock()
		n := len(rc.accepted)
		rc.mu.Unlock()
		if n >= len(want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // a duplicate would arrive now
	stop()
	wg.Wait()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if fmt.Sprint(rc.accepted) != fmt.Sprint(want) {
		t.Fatalf("the receiver got %v, want exactly %v", rc.accepted, want)
	}
}

package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/secret"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/store/sqlite"
	"github.com/usersync/usersync/internal/webhook"
)

// receiver is an application's webhook endpoint: it verifies every
// delivery's signature, fails the first `fail` deliveries with a 500, and
// keeps the events of the deliveries it accepted.
type receiver struct {
	t      *testing.T
	secret []byte
	fail   int

	mu       sync.Mutex
	requests int
	bodies   [][]byte
	accepted []int64
	kinds    []string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.requests++
	if err := webhook.Verify(rc.secret, r.Header.Get(webhook.SignatureHeader), body, time.Now(), 0); err != nil {
		rc.t.Errorf("delivery %d: %v", rc.requests, err)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if rc.requests <= rc.fail {
		http.Error(w, "down", http.StatusInternalServerError)
		return
	}
	var d webhook.Delivery
	if err := json.Unmarshal(body, &d); err != nil {
		rc.t.Errorf("delivery body: %v", err)
	}
	rc.bodies = append(rc.bodies, body)
	for _, e := range d.Events {
		rc.accepted = append(rc.accepted, e.Seq)
		rc.kinds = append(rc.kinds, e.Kind)
	}
}

func (rc *receiver) snapshot() (int, []int64) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.requests, append([]int64(nil), rc.accepted...)
}

type env struct {
	st  *sqlite.Store
	box *secret.Box
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "usersync.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	box, err := secret.New([]byte("test key"))
	if err != nil {
		t.Fatal(err)
	}
	return &env{st, box}
}

func (e *env) subscribe(t *testing.T, url, secretText string, kinds ...string) store.Webhook {
	t.Helper()
	sealed, err := e.box.Seal(secretText)
	if err != nil {
		t.Fatal(err)
	}
	w, err := e.st.CreateWebhook(context.Background(), store.Webhook{Name: "app", URL: url, Kinds: kinds, SealedSecret: sealed})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// changes makes n users and a field edit of each: 2n events.
func (e *env) changes(t *testing.T, n int) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		id, err := e.st.CreateLocalUser(ctx, store.User{UserID: fmt.Sprintf("u%d", i), Status: store.StatusActive})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.st.SetUserField(ctx, id, "title", "t"); err != nil {
			t.Fatal(err)
		}
	}
}

func (e *env) allSeqs(t *testing.T) []int64 {
	t.Helper()
	es, err := e.st.ListEvents(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]int64, len(es))
	for i, ev := range es {
		out[i] = ev.Seq
	}
	return out
}

func (e *env) deliverer() *webhook.Deliverer {
	return &webhook.Deliverer{Store: e.st, Open: e.box.Open, BaseDelay: 5 * time.Millisecond, MaxDelay: 20 * time.Millisecond, BatchSize: 3}
}

// tickUntil ticks the deliverer until cond holds or 10 seconds pass.
func tickUntil(t *testing.T, d *webhook.Deliverer, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("delivery did not finish in time")
		}
		d.Tick(context.Background())
		time.Sleep(2 * time.Millisecond)
	}
}

// A receiver that fails the first three deliveries receives every event
// exactly in order after the retries, each delivery with a valid
// signature; a tampered body fails verification.
func TestDeliveryRetriesInOrder(t *testing.T) {
	e := newEnv(t)
	rc := &receiver{t: t, secret: []byte("whsec_one"), fail: 3}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	w := e.subscribe(t, srv.URL, "whsec_one")
	e.changes(t, 5)
	want := e.allSeqs(t)
	d := e.deliverer()
	tickUntil(t, d, func() bool { _, got := rc.snapshot(); return len(got) >= len(want) })
	requests, got := rc.snapshot()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("received %v, want exactly %v", got, want)
	}
	if requests != 3+(len(want)+2)/3 {
		t.Errorf("%d requests, want 3 failures and %d batches of at most 3", requests, (len(want)+2)/3)
	}
	st, err := e.st.GetWebhook(context.Background(), w.ID)
	if err != nil || st.Position != want[len(want)-1] || st.Attempts != 0 || st.LastStatus != 200 || st.LastDeliveredAt.IsZero() || st.Dead {
		t.Fatalf("state after delivery = %+v, %v", st, err)
	}
	// Nothing new: no more requests.
	d.Tick(context.Background())
	if n, _ := rc.snapshot(); n != requests {
		t.Fatalf("an idle tick sent %d requests", n-requests)
	}
	body := rc.bodies[0]
	sig := webhook.Sign([]byte("whsec_one"), time.Now(), body)
	tampered := []byte(string(body[:len(body)-3]) + "9]}")
	if err := webhook.Verify([]byte("whsec_one"), sig, tampered, time.Now(), 0); !errors.Is(err, webhook.ErrSignatureMismatch) {
		t.Fatalf("a tampered body verified: %v", err)
	}
}

// Failed attempts wait with exponential backoff and a cap; after
// MaxAttempts the subscription is dead and nothing is sent until an
// operator redelivers, which then delivers everything, in order.
func TestDeadLetterAndRedeliver(t *testing.T) {
	e := newEnv(t)
	rc := &receiver{t: t, secret: []byte("s"), fail: 1 << 30}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	w := e.subscribe(t, srv.URL, "s")
	e.changes(t, 2)
	d := e.deliverer()
	d.MaxAttempts = 3
	tickUntil(t, d, func() bool { n, _ := rc.snapshot(); return n >= 3 })
	time.Sleep(50 * time.Millisecond)
	for range 5 {
		d.Tick(context.Background())
	}
	st, _ := e.st.GetWebhook(context.Background(), w.ID)
	if n, _ := rc.snapshot(); n != 3 || !st.Dead || st.Attempts != 3 || st.LastStatus != 500 || st.LastError == "" || st.Position != 0 {
		t.Fatalf("after 3 failures: %d requests, state %+v; want dead at position 0", n, st)
	}
	rc.mu.Lock()
	rc.fail = 0
	rc.mu.Unlock()
	if _, err := webhook.Redeliver(context.Background(), e.st, w.ID, nil); err != nil {
		t.Fatal(err)
	}
	want := e.allSeqs(t)
	tickUntil(t, d, func() bool { _, got := rc.snapshot(); return len(got) >= len(want) })
	if _, got := rc.snapshot(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after redelivery received %v, want %v", got, want)
	}
	// Redelivering from an older position sends those events again.
	from := want[1]
	if _, err := webhook.Redeliver(context.Background(), e.st, w.ID, &from); err != nil {
		t.Fatal(err)
	}
	tickUntil(t, d, func() bool { _, got := rc.snapshot(); return len(got) >= 2*len(want)-2 })
	bad := int64(-1)
	var ve *webhook.ValidationError
	if _, err := webhook.Redeliver(context.Background(), e.st, w.ID, &bad); !errors.As(err, &ve) {
		t.Fatalf("redeliver from -1 = %v, want a validation error", err)
	}
}

// The wait after the n-th failure doubles from the base up to the cap.
func TestBackoff(t *testing.T) {
	d := &webhook.Deliverer{BaseDelay: time.Second, MaxDelay: time.Minute}
	for _, tt := range []struct {
		n    int
		want time.Duration
	}{{1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second}, {6, 32 * time.Second}, {7, time.Minute}, {100, time.Minute}} {
		if got := d.Backoff(tt.n); got != tt.want {
			t.Errorf("Backoff(%d) = %s, want %s", tt.n, got, tt.want)
		}
	}
}

// A subscription receives only the kinds it selects, and moves past the
// others without a request.
func TestDeliverySelectsKinds(t *testing.T) {
	e := newEnv(t)
	rc := &receiver{t: t, secret: []byte("s")}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	w := e.subscribe(t, srv.URL, "s", store.EventUserCreated)
	e.changes(t, 4)
	d := e.deliverer()
	tickUntil(t, d, func() bool { _, got := rc.snapshot(); return len(got) >= 4 })
	for range 3 {
		d.Tick(context.Background())
	}
	rc.mu.Lock()
	kinds := fmt.Sprint(rc.kinds)
	rc.mu.Unlock()
	if kinds != "[user.created user.created user.created user.created]" {
		t.Fatalf("received kinds %s", kinds)
	}
	all := e.allSeqs(t)
	if st, _ := e.st.GetWebhook(context.Background(), w.ID); st.Position != all[len(all)-1] {
		t.Fatalf("position %d, want past the unselected events at %d", st.Position, all[len(all)-1])
	}
}

// Subscriptions are validated whole: every problem is named at once; a
// URL must be https (plain http to loopback only when allowed, for tests).
func TestSpecValidate(t *testing.T) {
	for _, tt := range []struct {
		spec   webhook.Spec
		loop   bool
		fields string
	}{
		{webhook.Spec{Name: "a", URL: "https://app.example/hook"}, false, ""},
		{webhook.Spec{Name: "a", URL: "http://127.0.0.1:9/hook"}, true, ""},
		{webhook.Spec{Name: "a", URL: "http://127.0.0.1:9/hook"}, false, "[url]"},
		{webhook.Spec{Name: "a", URL: "http://app.example/hook"}, true, "[url]"},
		{webhook.Spec{Name: "a", URL: "https://user:pw@app.example/"}, false, "[url]"},
		{webhook.Spec{Name: "a", URL: "ftp://app.example/"}, false, "[url]"},
		{webhook.Spec{Name: "a", URL: "/relative"}, false, "[url]"},
		{webhook.Spec{}, false, "[name url]"},
		{webhook.Spec{Name: "a\nb", URL: "https://x.example", Kinds: []string{"user.created", "user.exploded"}, Connections: []string{""}}, false, "[name kinds connections]"},
	} {
		err := tt.spec.Validate(tt.loop)
		var fields []string
		var ve *webhook.ValidationError
		if errors.As(err, &ve) {
			for _, p := range ve.Problems {
				fields = append(fields, p.Field)
			}
		} else if err != nil {
			t.Fatalf("%+v: %v is not a ValidationError", tt.spec, err)
		}
		got := ""
		if fields != nil {
			got = fmt.Sprint(fields)
		}
		if got != tt.fields {
			t.Errorf("%+v: problems in %s, want %s (%v)", tt.spec, got, tt.fields, err)
		}
	}
}

func decodeJSON(r *http.Request, v any) error { return json.NewDecoder(r.Body).Decode(v) }

func webhookSpec(url string) webhook.Spec { return webhook.Spec{Name: "app", URL: url} }

// Events pruned before a subscription received them cannot be delivered:
// the subscription goes dead saying so, rather than skipping them.
func TestDeliveryAfterPruneGoesDead(t *testing.T) {
	e := newEnv(t)
	rc := &receiver{t: t, secret: []byte("s")}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	w := e.subscribe(t, srv.URL, "s")
	e.changes(t, 2)
	time.Sleep(5 * time.Millisecond)
	if _, err := e.st.PruneEvents(context.Background(), time.Now()); err != nil {
		t.Fatal(err)
	}
	e.deliverer().Tick(context.Background())
	st, _ := e.st.GetWebhook(context.Background(), w.ID)
	if n, _ := rc.snapshot(); n != 0 || !st.Dead || !strings.Contains(st.LastError, "pruned") {
		t.Fatalf("after a prune: %d requests, state %+v; want dead naming the prune", n, st)
	}
}

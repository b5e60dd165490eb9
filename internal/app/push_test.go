package app_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/scimpush"
	"github.com/usersync/usersync/internal/scimtest"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/apptest"
	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
	"github.com/usersync/usersync/internal/testdir/scimserver"
)

// The issue: the local SCIM endpoint of the SCIM issue is the first test
// target. A second usersync (its own store, its /scim/v2 endpoint served
// over HTTP) receives the users, the changes and the memberships of the
// first, and a push of nothing new sends nothing.
// On SQLite and PostgreSQL: the position is saved by each store's Apply.
func TestPushToUsersyncsOwnSCIMEndpoint(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { pushToOwnEndpoint(t, "", "") })
	t.Run("postgres", func(t *testing.T) { pushToOwnEndpoint(t, pgtest.URL(t), pgtest.URL(t)) })
}

func pushToOwnEndpoint(t *testing.T, db, targetDB string) {
	target := scimtest.Start(t, targetDB, scimtest.Options{})
	a := apptest.Open(t, db, nil)
	ctx := context.Background()
	doc := fmt.Sprintf(`{"name":"app","directoryType":"target","systemType":"scim","baseUrl":%q,"token":%q}`, target.URL, target.Token)
	c, _, err := a.ApplyConnection(ctx, []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if !c.HasPassword || strings.Contains(fmt.Sprint(c), target.Token) {
		t.Fatalf("applied target leaks or lost its token: %+v", c)
	}
	res, err := a.CheckConnection(ctx, "app")
	if err != nil || !strings.Contains(strings.Join(res.Steps, "\n"), "PATCH supported") {
		t.Fatalf("check = %v, %v", res, err)
	}
	var ids []int64
	for i := 1; i <= 3; i++ {
		id, err := a.Store.CreateLocalUser(ctx, store.User{UserID: fmt.Sprintf("ann%d@example.test", i), Status: store.StatusActive,
			Fields: map[string]string{"displayName": fmt.Sprintf("Ann %d", i), "firstName": "Ann", "lastName": fmt.Sprint("L", i), "email": fmt.Sprintf("ann%d@example.test", i)}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if _, err := a.Store.CreateEntity(ctx, store.KindGroup, "Pilots"); err != nil {
		t.Fatal(err)
	}
	if err := a.Store.AddMembership(ctx, ids[0], store.KindGroup, "Pilots", store.SourceManual); err != nil {
		t.Fatal(err)
	}
	run, err := a.Push(ctx, "app", app.PushOptions{})
	if err != nil || run.Status != store.RunSucceeded || run.Created != 3 || run.MembershipChanges != 1 {
		t.Fatalf("push = %+v, %v", run, err)
	}
	got := scimUsers(t, target)
	if len(got) != 3 || got["ann1@example.test"].Fields["lastName"] != "L1" {
		t.Fatalf("target users = %v", got)
	}
	// An operator's edit and a deactivation arrive; the run is in the
	// runs list like every run.
	if err := a.Store.SetUserField(ctx, ids[1], "lastName", "Changed"); err != nil {
		t.Fatal(err)
	}
	u3, _ := a.Store.GetUser(ctx, ids[2])
	u3.Status = store.StatusInactive
	if err := a.Store.UpdateLocalUser(ctx, u3); err != nil {
		t.Fatal(err)
	}
	run, err = a.Push(ctx, "app", app.PushOptions{})
	if err != nil || run.Updated != 1 || run.Deactivated != 1 {
		t.Fatalf("second push = %+v, %v", run, err)
	}
	got = scimUsers(t, target)
	if got["ann2@example.test"].Fields["lastName"] != "Changed" || got["ann3@example.test"].Status != store.StatusInactive {
		t.Fatalf("target after the changes = %v", got)
	}
	runs, err := a.Store.ListRuns(ctx, store.RunQuery{Connection: "app"})
	if err != nil || len(runs) != 2 || runs[0].Mode != app.ModePush {
		t.Fatalf("runs of the target = %+v, %v", runs, err)
	}
	// A full push finds the target in step.
	run, err = a.Push(ctx, "app", app.PushOptions{Full: true})
	if err != nil || run.Created+run.Updated+run.Deactivated != 0 {
		t.Fatalf("full push of a target in step = %+v, %v", run, err)
	}
}

func scimUsers(t *testing.T, s *scimtest.Server) map[string]store.User {
	t.Helper()
	us, err := s.App.Store.ListUsers(context.Background(), store.UserQuery{Connection: s.Conn})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.User{}
	for _, u := range us {
		out[u.UserID] = u
	}
	return out
}

// A target that is down fails the run, which the runs list shows, and
// nothing is marked pushed.
func TestPushToATargetThatIsDownFailsTheRun(t *testing.T) {
	defer func(d time.Duration) { scimpush.RetryBackoff = d }(scimpush.RetryBackoff)
	scimpush.RetryBackoff = time.Millisecond
	a := apptest.Open(t, "", nil)
	ctx := context.Background()
	if _, _, err := a.ApplyConnection(ctx, []byte(`{"name":"app","directoryType":"target","systemType":"scim","baseUrl":"http://127.0.0.1:1/scim/v2","token":"t"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Store.CreateLocalUser(ctx, store.User{UserID: "ann", Status: store.StatusActive}); err != nil {
		t.Fatal(err)
	}
	run, err := a.Push(ctx, "app", app.PushOptions{})
	if !errors.Is(err, scimpush.ErrUnavailable) || run.Status != store.RunFailed {
		t.Fatalf("push to a closed port = %+v, %v", run, err)
	}
	if tok, _ := a.Store.ChangeToken(ctx, "app"); tok != "" {
		t.Fatalf("position %q saved by a failed push", tok)
	}
}

// Two instances on one store never push the same events at once: while
// one holds the target's lease the other is told who holds it, and every
// user reaches the target once.
func TestPushTwoInstancesShareOneLease(t *testing.T) {
	srv := scimserver.Start(t)
	db := filepath.Join(t.TempDir(), "usersync.db")
	a1 := apptest.Open(t, db, nil)
	a2 := apptest.Open(t, db, nil)
	ctx := context.Background()
	doc := fmt.Sprintf(`{"name":"app","directoryType":"target","systemType":"scim","baseUrl":%q,"token":%q}`, srv.URL, srv.Token)
	if _, _, err := a1.ApplyConnection(ctx, []byte(doc)); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		if _, err := a1.Store.CreateLocalUser(ctx, store.User{UserID: fmt.Sprintf("u%d", i), Status: store.StatusActive}); err != nil {
			t.Fatal(err)
		}
	}
	srv.Stall()
	done := make(chan error, 1)
	go func() { _, err := a1.Push(ctx, "app", app.PushOptions{}); done <- err }()
	for srv.Stalled() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	_, err := a2.Push(ctx, "app", app.PushOptions{})
	var held *store.LeaseHeldError
	if !errors.As(err, &held) {
		t.Fatalf("second instance's push while the first pushes = %v, want the lease held", err)
	}
	srv.Release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if run, err := a2.Push(ctx, "app", app.PushOptions{}); err != nil || run.Created != 0 {
		t.Fatalf("second instance after the first = %+v, %v; want nothing left to push", run, err)
	}
	if n := len(srv.Users()); n != 5 {
		t.Fatalf("target holds %d users, want 5", n)
	}
}

// The deletion guard holds a burst of deactivations for approval, as for
// every run: `runs approve` pushes them.
func TestPushHeldByTheGuardIsApprovedLikeARun(t *testing.T) {
	srv := scimserver.Start(t)
	a := apptest.Open(t, "", nil)
	ctx := context.Background()
	doc := fmt.Sprintf(`{"name":"app","directoryType":"target","systemType":"scim","baseUrl":%q,"token":%q}`, srv.URL, srv.Token)
	if _, _, err := a.ApplyConnection(ctx, []byte(doc)); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i := 1; i <= 12; i++ {
		id, err := a.Store.CreateLocalUser(ctx, store.User{UserID: fmt.Sprintf("u%d", i), Status: store.StatusActive})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if _, err := a.Push(ctx, "app", app.PushOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids[:8] {
		u, _ := a.Store.GetUser(ctx, id)
		u.Status = store.StatusInactive
		if err := a.Store.UpdateLocalUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	held, err := a.Push(ctx, "app", app.PushOptions{})
	if !errors.Is(err, scimpush.ErrHeld) || held.Status != store.RunAwaitingApproval || held.PendingDeactivations != 8 {
		t.Fatalf("burst = %+v, %v", held, err)
	}
	approved, err := a.ApproveRun(ctx, held.ID)
	if err != nil || approved.Status != store.RunSucceeded {
		t.Fatalf("approve = %+v, %v", approved, err)
	}
	inactive := 0
	for _, u := range srv.Users() {
		if u["active"] == false {
			inactive++
		}
	}
	if inactive != 8 {
		t.Fatalf("%d users inactive on the target after approval, want 8", inactive)
	}
}

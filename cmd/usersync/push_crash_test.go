package main

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/scimserver"
)

// The issue: delivery is at least once, in order, and survives a crash of
// usersync between the change and the delivery. serve is killed with
// SIGKILL while its push of new users waits on the target; nothing may be
// marked pushed, and a restarted serve delivers every user, none twice.
func TestKilledServeStillPushesEverything(t *testing.T) {
	target := scimserver.Start(t)
	c := newCLI(t)
	t.Setenv("USERSYNC_LOG_LEVEL", "error")
	c.apply(map[string]any{"name": "app", "directoryType": "target", "systemType": "scim", "baseUrl": target.URL, "token": target.Token})
	a, err := openApp(context.Background(), c.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx := context.Background()
	const n = 20
	target.Stall()
	for i := 1; i <= n; i++ {
		if _, err := a.Store.CreateLocalUser(ctx, store.User{UserID: fmt.Sprintf("u%02d@example.test", i), Status: store.StatusActive,
			Fields: map[string]string{"email": fmt.Sprintf("u%02d@example.test", i)}}); err != nil {
			t.Fatal(err)
		}
	}
	cmd, out := c.child("serve", "--listen", "127.0.0.1:0", "--ops-listen", "", "--no-scheduler", "--push-every", "200ms")
	defer func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()
	deadline := time.Now().Add(time.Minute)
	for target.Stalled() == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("serve never reached the target; it said:\n%s", out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if tok, _ := a.Store.ChangeToken(ctx, "app"); tok != "" {
		t.Fatalf("position %q saved though nothing reached the target", tok)
	}
	target.Release()
	// A change made while usersync is down is delivered too.
	if _, err := a.Store.CreateLocalUser(ctx, store.User{UserID: "late@example.test", Status: store.StatusActive}); err != nil {
		t.Fatal(err)
	}
	cmd, out = c.child("serve", "--listen", "127.0.0.1:0", "--ops-listen", "", "--no-scheduler", "--push-every", "200ms")
	deadline = time.Now().Add(time.Minute)
	for len(target.Users()) < n+1 {
		if time.Now().After(deadline) {
			t.Fatalf("target holds %d of %d users after the restart; serve said:\n%s", len(target.Users()), n+1, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	last, _ := a.Store.LastEventSeq(ctx)
	for {
		tok, _ := a.Store.ChangeToken(ctx, "app")
		if tok == fmt.Sprint(last) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("position %q, want %d", tok, last)
		}
		time.Sleep(50 * time.Millisecond)
	}
	seen := map[string]int{}
	for _, u := range target.Users() {
		seen[fmt.Sprint(u["userName"])]++
	}
	if len(seen) != n+1 || len(target.Users()) != n+1 {
		t.Fatalf("target users %v: want each of %d once", seen, n+1)
	}
	// In order: the users were created on the target in feed order.
	var posts []string
	for _, r := range target.Requests() {
		if r.Method == "POST" && r.Status == 201 {
			posts = append(posts, fmt.Sprint(r.Body["userName"]))
		}
	}
	for i := 1; i < len(posts); i++ {
		if posts[i] < posts[i-1] && posts[i] != "late@example.test" && posts[i-1] != "late@example.test" {
			t.Fatalf("users created out of order: %v", posts)
		}
	}
}

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/events"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// feedClient is an application following the change feed through
// `usersync events tail --after SEQ`: it keeps its replica and the last
// sequence number it processed in one file, written after each catch-up,
// so that a restart resumes exactly where it stopped.
type feedClient struct {
	t    *testing.T
	c    *cli
	path string
	// applied counts how often each seq was applied, to prove that
	// nothing is counted twice.
	applied map[int64]int
}

func (f *feedClient) load() *events.Replica {
	f.t.Helper()
	r := events.NewReplica()
	raw, err := os.ReadFile(f.path)
	if os.IsNotExist(err) {
		return r
	}
	if err != nil {
		f.t.Fatal(err)
	}
	var saved struct {
		Last    int64
		Users   map[int64]events.User
		Members []events.MemberKey
	}
	if err := json.Unmarshal(raw, &saved); err != nil {
		f.t.Fatal(err)
	}
	r.Last, r.Users = saved.Last, saved.Users
	for _, k := range saved.Members {
		r.Members[k] = true
	}
	return r
}

func (f *feedClient) save(r *events.Replica) {
	f.t.Helper()
	raw, err := json.Marshal(map[string]any{"Last": r.Last, "Users": r.Users, "Members": r.MemberList()})
	if err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(f.path, raw, 0o600); err != nil {
		f.t.Fatal(err)
	}
}

// catchUp starts the client afresh from its file, reads the feed after
// from (its saved position, or an older one when it crashed before
// saving), applies what is new and saves.
func (f *feedClient) catchUp(from int64) *events.Replica {
	f.t.Helper()
	r := f.load()
	out, code := f.c.runQuiet("events", "tail", "--after", strconv.FormatInt(from, 10))
	if code != 0 {
		f.t.Fatalf("events tail: exit %d: %s", code, out)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e events.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			f.t.Fatalf("events tail printed %q: %v", sc.Text(), err)
		}
		fresh, err := r.Apply(e)
		if err != nil {
			f.t.Fatal(err)
		}
		if fresh {
			f.applied[e.Seq]++
		}
	}
	f.save(r)
	return r
}

// runQuiet runs usersync in-process without logging its (long) output.
func (c *cli) runQuiet(args ...string) (string, int) {
	var out, errb strings.Builder
	code := run(context.Background(), append(args, "--db", c.db), strings.NewReader(""), &out, &errb)
	if code != 0 {
		return out.String() + errb.String(), code
	}
	return out.String(), code
}

// TestFeedRebuildsUsersAcrossAKill: an application that follows the change
// feed from sequence 0 rebuilds exactly the users, fields and memberships
// usersync holds, after a mix of full, incremental, one-user and operator
// changes against a real slapd, with a sync killed (kill -9) in the middle
// and the application itself restarted, once before it saved its position.
func TestFeedRebuildsUsersAcrossAKill(t *testing.T) {
	const n = 20000
	s := slapd.Start(t, n, 0)
	c := newCLI(t)
	c.apply(connDoc(s))
	t.Setenv("USERSYNC_LOG_LEVEL", "warn")
	a, err := openApp(context.Background(), c.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	f := &feedClient{t: t, c: c, path: filepath.Join(t.TempDir(), "replica.json"), applied: map[int64]int{}}

	// A full sync, killed part-way; the client reads what it committed.
	cmd, out := c.child("sync", "corp")
	waitRunning(t, a, n/5)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	mid := f.catchUp(0)
	t.Logf("killed the sync with %d users written; the client had %d events; child said:\n%s", usersOf(t, a), mid.Last, out.String())
	if len(mid.Users) == 0 || len(mid.Users) >= n {
		t.Fatalf("the client saw %d users during the sync, want some but not all", len(mid.Users))
	}
	waitLeaseExpired(t, a)
	if rep, code := c.sync("corp"); code != 0 || rep.Status != store.RunSucceeded {
		t.Fatalf("sync after the kill: %d %+v", code, rep)
	}
	saved := f.catchUp(mid.Last).Last

	// Directory changes, read by an incremental sync: a changed field, a
	// removed field, a deleted entry.
	l := adminConn(t, s)
	for _, m := range []*ldapv3.ModifyRequest{ldapReplace(slapd.UserDN(7), "title", "Chief"), ldapReplace(slapd.UserDN(8), "mail", "new8@example.com")} {
		if err := l.Modify(m); err != nil {
			t.Fatal(err)
		}
	}
	del := ldapv3.NewModifyRequest(slapd.UserDN(9), nil)
	del.Delete("telephoneNumber", nil)
	if err := l.Modify(del); err != nil {
		t.Fatal(err)
	}
	if err := l.Del(ldapv3.NewDelRequest(slapd.UserDN(10), nil)); err != nil {
		t.Fatal(err)
	}
	rep, code := c.sync("corp")
	if code != 0 || rep.Updated < 2 {
		t.Fatalf("sync of directory changes: %d %+v", code, rep)
	}

	// One user added on demand.
	add := ldapv3.NewAddRequest("uid=newcomer,"+slapd.PeopleDN, nil)
	add.Attribute("objectClass", []string{"inetOrgPerson"})
	add.Attribute("uid", []string{"newcomer"})
	add.Attribute("cn", []string{"New Comer"})
	add.Attribute("sn", []string{"Comer"})
	add.Attribute("mail", []string{"newcomer@example.com"})
	if err := l.Add(add); err != nil {
		t.Fatal(err)
	}
	c.mustRun("users", "add", "--connection", "corp", "newcomer")

	// The client restarts having processed events it never saved: it asks
	// again after its saved position and must not count them twice.
	f.catchUp(saved)
	f.catchUp(saved)

	// An operator's changes: a field edit, memberships by hand.
	users, err := a.Store.FindUsers(context.Background(), slapd.UID(11))
	if err != nil || len(users) != 1 {
		t.Fatalf("find %s: %v %v", slapd.UID(11), users, err)
	}
	c.mustRun("users", "set", fmt.Sprint(users[0].ID), "nickname", "Elf")
	c.mustRun("group", "add", "Engineering")
	c.mustRun("group", "add", "Sales")
	c.mustRun("users", "assign", slapd.UID(11), "--group", "Engineering")
	c.mustRun("users", "assign", slapd.UID(12), "--group", "Sales")
	c.mustRun("users", "assign", slapd.UID(12), "--group", "Engineering")
	c.mustRun("users", "unassign", slapd.UID(12), "--group", "Sales")

	final := f.load()
	final = f.catchUp(final.Last)
	want, err := events.Snapshot(context.Background(), a.Store)
	if err != nil {
		t.Fatal(err)
	}
	if d := events.Diff(want, final); d != "" {
		t.Fatalf("the client's users differ from usersync's:\n%.3000s", d)
	}
	if len(final.Users) != n+1 || len(final.Members) != 2 {
		t.Fatalf("the client holds %d users and %d memberships, want %d and 2", len(final.Users), len(final.Members), n+1)
	}
	if u := final.Users[users[0].ID]; u.Fields["nickname"] != "Elf" {
		t.Fatalf("the edited user = %+v", u)
	}
	for seq, k := range f.applied {
		if k != 1 {
			t.Fatalf("event %d applied %d times", seq, k)
		}
	}
	last, _ := a.Store.LastEventSeq(context.Background())
	if final.Last != last {
		t.Fatalf("the client stopped at %d, the feed is at %d", final.Last, last)
	}
}

// `events tail --follow` keeps printing events as they are committed, each
// once, until interrupted; --after skips those already processed, and a
// bad --after is a usage error.
func TestEventsTailFollow(t *testing.T) {
	c := newCLI(t)
	if out, code := c.run("events", "tail", "--after", "-3"); code != exitUsage || !strings.Contains(out, "--after") {
		t.Fatalf("--after -3: exit %d %s", code, out)
	}
	a, err := openApp(context.Background(), c.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	add := func(name string) {
		if _, err := a.Store.CreateLocalUser(context.Background(), store.User{UserID: name, Status: store.StatusActive}); err != nil {
			t.Fatal(err)
		}
	}
	add("first")
	add("second")
	ctx, cancel := context.WithCancel(context.Background())
	var out lockedBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"events", "tail", "--after", "1", "--follow", "--interval", "10ms", "--db", c.db}, strings.NewReader(""), &out, io.Discard)
	}()
	add("third")
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(out.String(), "\n") < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("events tail --follow exited %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"userId":"second"`) || !strings.Contains(lines[1], `"userId":"third"`) {
		t.Fatalf("tail --after 1 --follow printed:\n%s", out.String())
	}
}

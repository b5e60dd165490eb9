package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/postgres"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// firing is one scheduled firing an instance claimed and started, as its
// log says.
type firing struct {
	Conn string    `json:"connection"`
	Fire time.Time `json:"firing"`
}

// claimedFirings reads the "scheduled run due" lines of a serve's JSON log.
func claimedFirings(t *testing.T, log []byte) (fs []firing, notStarted int) {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(log))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var line struct {
			Msg string `json:"msg"`
			firing
		}
		if json.Unmarshal(sc.Bytes(), &line) != nil {
			continue
		}
		switch line.Msg {
		case "scheduled run due":
			fs = append(fs, line.firing)
		case "run not started":
			notStarted++
		}
	}
	return fs, notStarted
}

// TestScaleOutFiresOnce runs two `usersync serve` instances on one
// PostgreSQL database with 20 connections on a two-second schedule: however
// the two race, every firing of every connection is run exactly once, by
// one of them, at the schedule's aligned times. The firings each instance
// claimed come from its log; the runs from the store.
func TestScaleOutFiresOnce(t *testing.T) {
	scaleOut(t, 20, 2*time.Second, 12*time.Second)
}

// scaleOut is the test above at any size; the bench's scale-out row has its
// own harness.
func scaleOut(t *testing.T, conns int, every, window time.Duration) {
	postgres.Require(t)
	s := slapd.Start(t, conns, 0)
	c := newCLI(t)
	c.db = postgres.URL(t)
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", home) // the secret key's file: there is no SQLite directory to keep it beside
	t.Setenv("HOME", home)
	t.Setenv("USERSYNC_LOG_FORMAT", "json")
	names := make([]string, conns)
	for i := range names {
		names[i] = fmt.Sprintf("corp%02d", i)
		doc := connDoc(s)
		doc["name"], doc["schedule"], doc["minInterval"] = names[i], "@every "+every.String(), "1s"
		// One user each: two connections creating the same userIds at the
		// same time would race for them, which is not what this measures.
		doc["searchFilter"] = fmt.Sprintf("(&(objectClass=inetOrgPerson)(uid=%s))", slapd.UID(i+1))
		c.apply(doc, "--min-interval-floor", "1s")
	}
	type instance struct {
		cmd *exec.Cmd
		out *bytes.Buffer
	}
	var inst []instance
	for range 2 {
		cmd, out := c.child("serve", "--listen", "127.0.0.1:0", "--ops-listen", "", "--min-interval-floor", "1s")
		inst = append(inst, instance{cmd, out})
	}
	t.Cleanup(func() {
		for _, in := range inst {
			if in.cmd.ProcessState == nil {
				_ = in.cmd.Process.Kill()
				_ = in.cmd.Wait()
			}
		}
	})
	time.Sleep(window)
	for _, in := range inst {
		if err := in.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
	}
	claims := map[firing]int{}
	perConn := map[string][]time.Time{}
	for i, in := range inst {
		// Both must have run until told to stop, and stopped cleanly: an
		// instance that failed at start-up leaves all firings to the other.
		if err := in.cmd.Wait(); err != nil {
			t.Errorf("instance %d: %v", i+1, err)
		}
		fs, notStarted := claimedFirings(t, in.out.Bytes())
		if notStarted > 0 {
			t.Errorf("instance %d claimed %d firings it did not run", i+1, notStarted)
		}
		t.Logf("instance %d ran %d firings", i+1, len(fs))
		for _, f := range fs {
			claims[firing{f.Conn, f.Fire.UTC()}]++
			perConn[f.Conn] = append(perConn[f.Conn], f.Fire)
		}
	}
	for f, n := range claims {
		if n > 1 {
			t.Errorf("%s's firing at %s ran %d times", f.Conn, f.Fire.Format(time.RFC3339Nano), n)
		}
	}
	a, err := openApp(context.Background(), c.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, name := range names {
		fires := perConn[name]
		slices.SortFunc(fires, func(x, y time.Time) int { return x.Compare(y) })
		// The instances ran throughout: firings follow one another at the
		// schedule's interval. A firing both instances were too busy to
		// reach before the next one collapses into it, by design (one
		// catch-up run, not two), so a gap may be a multiple of the
		// interval, never anything else.
		if len(fires) < 2 {
			t.Errorf("%s: %d firings in %s of a %s schedule", name, len(fires), window, every)
		}
		collapsed := 0
		for k := 1; k < len(fires); k++ {
			gap := fires[k].Sub(fires[k-1])
			if gap <= 0 || gap%every != 0 {
				t.Errorf("%s: firings %s and %s are %s apart, want a multiple of %s", name, fires[k-1].Format(time.RFC3339Nano), fires[k].Format(time.RFC3339Nano), gap, every)
			}
			if gap > every {
				collapsed++
			}
		}
		if collapsed > 0 {
			t.Logf("%s: %d firings collapsed into the next (both instances busy)", name, collapsed)
		}
		runs, err := a.Store.ListRuns(context.Background(), store.RunQuery{Connection: name, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		// Runs are matched to firings by count and order: a firing claimed
		// as the instances were told to stop may have no run yet, or one
		// still marked running, and only the newest may be such.
		var scheduled []store.Run
		for _, r := range runs {
			if r.Trigger == store.TriggerSchedule {
				scheduled = append(scheduled, r)
			}
		}
		if len(scheduled) > len(fires) || len(scheduled) < len(fires)-1 {
			t.Errorf("%s: %d scheduled runs in the store for %d claimed firings", name, len(scheduled), len(fires))
		}
		for k, r := range scheduled { // newest first
			if r.Status != store.RunSucceeded && k > 0 {
				t.Errorf("%s: scheduled run %d %s: %s", name, r.ID, r.Status, r.Error)
			}
		}
	}
	if t.Failed() {
		for i, in := range inst {
			out := in.out.String()
			t.Logf("instance %d said (the end):\n%s", i+1, out[max(0, len(out)-4000):])
		}
	}
}

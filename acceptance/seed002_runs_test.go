package acceptance

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/testdir/samba"
)

// "When a scheduled or manual synchronization is run, Active Directory (AD)
// Synchronization will gather updated information ... and update the
// corresponding User records": a manual run started through the API.
func TestSeed002_ManualSynchronizationThroughAPI(t *testing.T) {
	ou := newOU(t)
	dn := ou.addUser("api", samba.UserSpec{Department: "Before"})
	a := newAdmin(t)
	a.apply(ou.source("ad", nil))
	a.mustSync("ad")
	ou.dc.Replace(t, dn, "department", "After")
	api := a.serve()
	out := api.must(202, "POST", "/api/v1/runs", `{"connection":"ad"}`)
	var started struct {
		ID int64 `json:"runId"`
	}
	if err := json.Unmarshal([]byte(out), &started); err != nil || started.ID == 0 {
		t.Fatalf("POST /api/v1/runs: %s (%v)", out, err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		var run struct {
			Status string `json:"status"`
		}
		body := api.must(200, "GET", "/api/v1/runs/"+jsonNumber(started.ID), "")
		if err := json.Unmarshal([]byte(body), &run); err != nil {
			t.Fatalf("GET run: %v %s", err, body)
		}
		if run.Status == "succeeded" {
			break
		}
		if run.Status != "running" && run.Status != "" || time.Now().After(deadline) {
			t.Fatalf("run ended %q: %s", run.Status, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if got := a.user(ou.upn("api")).Fields["department"]; got != "After" {
		t.Fatalf("department = %q after the manual run, want After", got)
	}
}

// "Schedule an AD synchronization process to periodically update APM ...
// When the job schedule item is active, the synchronization will be executed
// based on the defined schedule": a running scheduler runs the connection.
func TestSeed002_SchedulerRunsTheSynchronization(t *testing.T) {
	ou := newOU(t)
	ou.addUser("sched", samba.UserSpec{})
	a := newAdmin(t)
	a.apply(ou.source("ad", map[string]any{"schedule": "@every 1m", "minInterval": "1m"}))
	a.startScheduler("--no-live")
	a.must("schedule", "run", "ad")
	deadline := time.Now().Add(60 * time.Second)
	for len(a.active(ou.upn("sched"))) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the scheduler did not run the connection: %s", a.must("runs", "list"))
		}
		time.Sleep(300 * time.Millisecond)
	}
	if out := a.must("schedule", "list", "--json"); !strings.Contains(out, `"lastRun"`) {
		t.Errorf("schedule list shows no last execution: %s", out)
	}
}

// "In case a user is not synched, check the Schedule logs": explain says
// why an entry the filter excludes, or a disabled account, is not there.
func TestSeed002_UserNotSyncedIsExplained(t *testing.T) {
	ou := newOU(t)
	ou.addUser("kept", samba.UserSpec{Department: "In"})
	ou.addUser("filtered", samba.UserSpec{Department: "Out"})
	ou.addUser("disabled", samba.UserSpec{Department: "In", Disabled: true})
	a := newAdmin(t)
	a.apply(ou.source("ad", map[string]any{"searchFilter": "(&(objectClass=user)(objectCategory=person)(department=In))"}))
	a.mustSync("ad")
	for login, verdict := range map[string]string{"kept": "synced", "filtered": "filteredOut", "disabled": "disabled"} {
		out := a.must("users", "explain", ou.upn(login), "--json")
		if !strings.Contains(out, `"verdict": "`+verdict+`"`) && !strings.Contains(out, `"verdict":"`+verdict+`"`) {
			t.Errorf("explain %s: want verdict %s:\n%s", login, verdict, out)
		}
	}
}

// startScheduler runs `usersync run-scheduler` on the admin's store until
// the test ends.
func (a *admin) startScheduler(extra ...string) {
	a.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	args := append([]string{"run-scheduler", "--ops-listen", "", "--db", a.db}, extra...)
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(os.Environ(), "USERSYNC_SECRET_KEY=", "USERSYNC_SECRET_KEY_FILE="+filepath.Join(a.dir, "usersync.key"))
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		a.t.Fatal(err)
	}
	a.t.Cleanup(func() { cancel(); _ = cmd.Wait() })
}

// eventually polls cond every 200 ms until it holds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", timeout, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// "APM User properties and status will be updated to reflect the last
// saved information": a disabled account's user is inactive, and active
// again, the same user, when the account is enabled.
func TestSeed002_StatusFollowsTheDirectory(t *testing.T) {
	ou := newOU(t)
	dn := ou.addUser("flip", samba.UserSpec{})
	a := newAdmin(t)
	a.apply(ou.source("ad", nil))
	a.mustSync("ad")
	before := a.user(ou.upn("flip"))
	ou.dc.Disable(t, dn)
	a.mustSync("ad")
	if got := a.user(ou.upn("flip")).Status; got != "inactive" {
		t.Fatalf("disabled account's user is %s, want inactive", got)
	}
	ou.dc.Enable(t, dn)
	a.mustSync("ad")
	after := a.user(ou.upn("flip"))
	if after.Status != "active" || after.ID != before.ID {
		t.Fatalf("re-enabled account's user is %d (%s), want %d active again", after.ID, after.Status, before.ID)
	}
}

// "APM provides a set of baseline AD Mapping record ... If you want to change
// the mappings that are defined through the baseline records, you can modify
// the records as needed", and "dynamic field mapping is supported": through
// the API the baseline is shown, and a changed set with a custom target is
// what the next sync uses.
func TestSeed002_BaselineMappingsCanBeModified(t *testing.T) {
	ou := newOU(t)
	ou.addUser("hr", samba.UserSpec{DisplayName: "Hr User", Department: "Payroll"})
	a := newAdmin(t)
	a.apply(ou.source("ad", nil))
	api := a.serve()
	var doc struct {
		Mappings []map[string]any `json:"mappings"`
		Baseline bool             `json:"baseline"`
	}
	body := api.must(200, "GET", "/api/v1/connections/ad/mappings", "")
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	if !doc.Baseline || !strings.Contains(body, `"userPrincipalName"`) {
		t.Fatalf("mappings of a new connection: want the baseline with userPrincipalName:\n%s", body)
	}
	var changed []map[string]any
	for _, m := range doc.Mappings {
		if m["target"] != "department" {
			changed = append(changed, m)
		}
	}
	changed = append(changed, map[string]any{"source": "department", "target": "costCenter"})
	put, _ := json.Marshal(map[string]any{"mappings": changed})
	api.must(200, "PUT", "/api/v1/connections/ad/mappings", string(put))
	a.mustSync("ad")
	f := a.user(ou.upn("hr")).Fields
	if f["costCenter"] != "Payroll" || f["department"] != "" || f["displayName"] != "Hr User" {
		t.Fatalf("fields %v: want costCenter from department, no department, the baseline's displayName", f)
	}
}

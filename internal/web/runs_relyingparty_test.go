package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/store"
)

// TestStartRelyingPartyRunAPI: a sync of a relying party started through
// the API is accepted (not 500), and a run that links none of the entries
// it read carries a warning that says so; one that links them has none.
func TestStartRelyingPartyRunAPI(t *testing.T) {
	e := newTestEnv(t)
	d := startDemoDir(t)
	ctx := context.Background()
	if _, _, err := e.app.PutConnection(ctx, d.Connection("contoso")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Sync(ctx, "contoso", app.SyncOptions{Trigger: store.TriggerManual}); err != nil {
		t.Fatal(err)
	}
	c := e.login()
	for _, tt := range []struct {
		linkingKey string
		warn       bool
	}{
		{"", false},
		{"userPrincipalName", false},
		{"objectGUID", true},
		{"employeeId=employeeNumber", true},
	} {
		t.Run("linkingKey "+tt.linkingKey, func(t *testing.T) {
			rp := d.Connection("rp")
			rp.DirectoryType, rp.LinkingKey = connection.DirectoryRelyingParty, tt.linkingKey
			if _, _, err := e.app.PutConnection(ctx, rp); err != nil {
				t.Fatal(err)
			}
			code, body := c.api("POST", "/api/v1/runs", `{"connection":"rp"}`)
			if code != http.StatusAccepted {
				t.Fatalf("start: %d %s", code, body)
			}
			var run store.Run
			if err := json.Unmarshal([]byte(body), &run); err != nil || run.ID == 0 {
				t.Fatalf("start: %v %s", err, body)
			}
			for deadline := time.Now().Add(20 * time.Second); run.Status == store.RunRunning || run.Status == ""; time.Sleep(50 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("the run does not end")
				}
				_, body = c.api("GET", "/api/v1/runs/"+strconv.FormatInt(run.ID, 10), "")
				run = store.Run{}
				if err := json.Unmarshal([]byte(body), &run); err != nil {
					t.Fatal(err)
				}
			}
			warned := strings.Contains(strings.Join(run.Warnings, "\n"), "no entry was linked: none of the 100 entries read")
			if run.Status != store.RunSucceeded || warned != tt.warn {
				t.Fatalf("run: status %s, warnings %q, want a warning: %v", run.Status, run.Warnings, tt.warn)
			}
		})
	}
}

package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/store"
)

// TestRunOutcomesCSV: a run's outcomes export as CSV, one line each,
// filtered by action; a value a spreadsheet would run as a formula stays
// text; an unknown run is 404.
func TestRunOutcomesCSV(t *testing.T) {
	e := newTestEnv(t)
	ctx := t.Context()
	runID, err := e.app.Store.CreateRun(ctx, store.Run{Connection: "corp", Trigger: store.TriggerManual, Mode: "full", Status: store.RunRunning})
	if err != nil {
		t.Fatal(err)
	}
	err = e.app.Store.Apply(ctx, store.Batch{RunID: runID, Connection: "corp", Outcomes: []store.Outcome{
		{RunID: runID, ExternalID: "=HYPERLINK(\"http://evil\")", UserID: "ann", Action: "created", Changes: []store.FieldChange{{Field: "title", New: "=HYPERLINK(\"http://evil\")"}}},
		{RunID: runID, ExternalID: "e2", UserID: "-bob", Action: "skipped", Reason: "out of scope, \"quoted\"\nnext line"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	c := e.login()
	code, body := c.call("GET", fmt.Sprintf("/api/v1/runs/%d/outcomes.csv", runID), "", "", nil)
	if code != http.StatusOK {
		t.Fatalf("export: %d %s", code, body)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, body)
	}
	if len(rows) != 3 || strings.Join(rows[0], ",") != "runId,connection,userId,externalId,action,reason,changes,warnings" {
		t.Fatalf("rows = %q", rows)
	}
	if rows[1][2] != "ann" || rows[1][3] != `'=HYPERLINK("http://evil")` || rows[1][6] != `title:  → =HYPERLINK("http://evil")` {
		t.Errorf("row 1 = %q; want the formula defused", rows[1])
	}
	if rows[2][2] != "'-bob" || rows[2][5] != "out of scope, \"quoted\"\nnext line" {
		t.Errorf("row 2 = %q; want the leading minus defused and the reason intact", rows[2])
	}
	_, body = c.call("GET", fmt.Sprintf("/api/v1/runs/%d/outcomes.csv?action=skipped", runID), "", "", nil)
	if rows, _ := csv.NewReader(strings.NewReader(body)).ReadAll(); len(rows) != 2 || rows[1][4] != "skipped" {
		t.Errorf("filtered by action: %q", rows)
	}
	if code, _ := c.call("GET", "/api/v1/runs/999/outcomes.csv", "", "", nil); code != http.StatusNotFound {
		t.Errorf("unknown run: %d, want 404", code)
	}
	// The run's page links to it.
	if page := c.get(fmt.Sprintf("/runs/%d", runID), http.StatusOK); !strings.Contains(page, fmt.Sprintf(`href="/api/v1/runs/%d/outcomes.csv"`, runID)) {
		t.Error("the run page has no Export CSV link")
	}
}

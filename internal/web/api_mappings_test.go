package web

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/mapping"
)

func TestMappingsAPIAndPreview(t *testing.T) {
	e := newTestEnv(t)
	putDemo(t, e, "demo", connection.DirectorySource)
	c := e.login()
	_, body := c.api("POST", "/api/v1/runs", `{"connection":"demo"}`)
	waitRun(t, c, regexp1(`"runId": (\d+)`, body))

	get := func() mappingsDoc {
		t.Helper()
		code, body := c.api("GET", "/api/v1/connections/demo/mappings", "")
		var d mappingsDoc
		if err := json.Unmarshal([]byte(body), &d); code != 200 || err != nil {
			t.Fatalf("get: %d %v %s", code, err, body)
		}
		return d
	}
	d := get()
	if !d.Baseline || d.BaselineFlavor != "Active Directory" || len(d.Mappings) == 0 || d.LeavePolicy.Action != connection.LeaveDeactivate {
		t.Fatalf("baseline document: %+v", d)
	}

	// An invalid expression is refused with its path, and nothing is stored.
	bad := `{"mappings": [{"source": "userPrincipalName", "target": "userId"}, {"expression": "Join(\" \", [sn]", "target": "displayName"}], "leavePolicy": {"action": "deactivate"}}`
	code, body := c.api("PUT", "/api/v1/connections/demo/mappings", bad)
	if code != 400 || !strings.Contains(body, `"field": "mappings[1].expression"`) || !strings.Contains(body, "expr: at column") {
		t.Fatalf("invalid PUT: %d %s", code, body)
	}
	if !get().Baseline {
		t.Fatal("an invalid PUT changed the mappings")
	}
	if code, body := c.api("POST", "/api/v1/connections/demo/preview", bad); code != 400 || !strings.Contains(body, "mappings[1].expression") {
		t.Fatalf("invalid preview: %d %s", code, body)
	}

	// Explicit mappings: the baseline with the name built surname first.
	ms := append([]mapping.Mapping(nil), d.Mappings...)
	for i := range ms {
		if ms[i].Target == "displayName" {
			ms[i] = mapping.Mapping{Expression: `Join(", ", [sn], [givenName])`, Target: "displayName"}
		}
	}
	doc, _ := json.Marshal(mappingsDoc{Mappings: ms, LeavePolicy: d.LeavePolicy})

	// A preview of the unsaved document writes nothing.
	code, body = c.api("POST", "/api/v1/connections/demo/preview", string(doc))
	var pv previewView
	if err := json.Unmarshal([]byte(body), &pv); code != 200 || err != nil {
		t.Fatalf("preview: %d %v %s", code, err, body)
	}
	if !pv.DryRun || pv.Updated < 90 || pv.PlanTotal < pv.Updated || len(pv.Plan) != previewLimit {
		t.Fatalf("preview counts: %+v", pv.Run)
	}
	o := pv.Plan[0]
	if o.Action == "skipped" {
		o = pv.Plan[1]
	}
	if o.Action != "updated" || len(o.Changes) == 0 || !strings.Contains(o.Changes[0].New, ", ") {
		t.Fatalf("preview plan: %+v", o)
	}
	if _, body := c.api("GET", "/api/v1/runs", ""); strings.Count(body, `"runId"`) != 1 {
		t.Fatalf("a preview recorded a run: %s", body)
	}
	if get().Baseline != true {
		t.Fatal("a preview stored the mappings")
	}

	if code, body := c.api("PUT", "/api/v1/connections/demo/mappings", string(doc)); code != 200 {
		t.Fatalf("PUT: %d %s", code, body)
	}
	if d := get(); d.Baseline || len(d.Mappings) != len(ms) {
		t.Fatalf("stored: %+v", d)
	}
	// The stored settings preview the same way without a body.
	code, body = c.api("POST", "/api/v1/connections/demo/preview", "")
	if err := json.Unmarshal([]byte(body), &pv); code != 200 || err != nil || pv.Updated < 90 {
		t.Fatalf("preview stored: %d %v %s", code, err, body)
	}
	// baseline true goes back to the baseline.
	if code, body := c.api("PUT", "/api/v1/connections/demo/mappings", `{"baseline": true, "leavePolicy": {"action": "delete"}}`); code != 200 || !strings.Contains(body, `"baseline": true`) {
		t.Fatalf("PUT baseline: %d %s", code, body)
	}
	if d := get(); d.LeavePolicy.Action != connection.LeaveDelete {
		t.Fatalf("leave policy: %+v", d.LeavePolicy)
	}
	if code, _ := c.api("GET", "/api/v1/connections/nope/mappings", ""); code != 404 {
		t.Fatalf("unknown connection: %d", code)
	}
}

package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/store"
)

// badConfigureTwo is the error a stored connection's invalid configureTwo
// document gives, however it is reached.
func badConfigureTwo() error {
	_, err := connection.Connection{ConfigureTwo: `{"schemaVersion":1,"syncUpnToAdAttribute":{"onWriteFailure":"explode"}}`}.UPNSettings()
	return err
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		code   string
		field  string
	}{
		{"validation", fmt.Errorf("%w: %w", app.ErrUsage, &connection.ValidationError{Problems: []connection.FieldError{{Field: "port", Message: "bad"}, {Field: "dnsName", Message: "x"}}}), 400, "invalid", "port"},
		{"usage", fmt.Errorf("%w: no", app.ErrUsage), 400, "invalid", ""},
		{"configureTwo", fmt.Errorf("writeback: connection %q: %w", "rp", badConfigureTwo()), 400, "invalid", "configureTwo.syncUpnToAdAttribute.onWriteFailure"},
		{"not found", fmt.Errorf("x: %w", store.ErrNotFound), 404, "not_found", ""},
		{"conflict", fmt.Errorf("x: %w", store.ErrConflict), 409, "conflict", ""},
		{"ldap", fmt.Errorf("check: %w", &directory.Problem{Kind: directory.KindCredentials, Field: "password", Msg: "bind refused"}), 502, "directory_credentials", "password"},
		{"other", errors.New("disk on fire"), 500, "internal", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, e := classify(tt.err)
			if status != tt.status || e.Code != tt.code || e.Field != tt.field {
				t.Fatalf("classify = %d %+v, want %d %s %s", status, e, tt.status, tt.code, tt.field)
			}
			if tt.status == 500 && strings.Contains(e.Message, "fire") {
				t.Fatal("an internal error leaks its message")
			}
		})
	}
}

func TestAdvancedSettingsAvailable(t *testing.T) {
	tests := []struct {
		dir, sys string
		want     bool
	}{
		{connection.DirectoryRelyingParty, connection.SystemLDAP, true},
		{connection.DirectorySource, connection.SystemLDAP, false},
		{connection.DirectoryRelyingParty, "entra", false},
		{connection.DirectoryRelyingParty, "scim", false},
		{connection.DirectorySource, "entra", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got := AdvancedSettingsAvailable(tt.dir, tt.sys); got != tt.want {
			t.Errorf("AdvancedSettingsAvailable(%q, %q) = %v, want %v", tt.dir, tt.sys, got, tt.want)
		}
	}
}

// seedJSON holds the five worked examples of the Advanced UPN Sync
// Settings (the wrapped lines joined).
var seedJSON = []string{
	`{"schemaVersion":1,"mailFallbackOnMissingUpn":{"enabled":false},"syncUpnToAdAttribute":{"enabled":false,"targetAttribute":"proxyAddresses","multiValued":true,"valueFormat":"prefixed","prefix":"smtp","lowercase":true,"skipIfAlreadyPresent":true,"treatPrefixVariantsAsDuplicates":true,"onWriteFailure":"warn"}}`,
	`{"schemaVersion":1,"mailFallbackOnMissingUpn":{"enabled":true},"syncUpnToAdAttribute":{"enabled":false,"targetAttribute":"proxyAddresses","multiValued":true,"valueFormat":"prefixed","prefix":"smtp","lowercase":true,"skipIfAlreadyPresent":true,"treatPrefixVariantsAsDuplicates":true,"onWriteFailure":"warn"}}`,
	`{"schemaVersion":1,"mailFallbackOnMissingUpn":{"enabled":true},"syncUpnToAdAttribute":{"enabled":true,"targetAttribute":"proxyAddresses","multiValued":true,"valueFormat":"prefixed","prefix":"smtp","lowercase":true,"skipIfAlreadyPresent":true,"treatPrefixVariantsAsDuplicates":true,"onWriteFailure":"warn"}}`,
	`{"schemaVersion":1,"mailFallbackOnMissingUpn":{"enabled":false},"syncUpnToAdAttribute":{"enabled":true,"targetAttribute":"extensionAttribute5","multiValued":false,"valueFormat":"plain","prefix":"smtp","lowercase":false,"skipIfAlreadyPresent":true,"treatPrefixVariantsAsDuplicates":false,"onWriteFailure":"error"}}`,
	`{"schemaVersion":1,"mailFallbackOnMissingUpn":{"enabled":false},"syncUpnToAdAttribute":{"enabled":true,"targetAttribute":"mail","multiValued":false,"valueFormat":"plain","prefix":"smtp","lowercase":true,"skipIfAlreadyPresent":true,"treatPrefixVariantsAsDuplicates":false,"onWriteFailure":"ignore"}}`,
}

func putDemo(t *testing.T, e *testEnv, name, dirType string) {
	t.Helper()
	d := startDemoDir(t)
	c := d.Connection(name)
	c.DirectoryType = dirType
	if _, _, err := e.app.PutConnection(t.Context(), c); err != nil {
		t.Fatal(err)
	}
}

func TestConfigureTwoAPI(t *testing.T) {
	e := newTestEnv(t)
	putDemo(t, e, "rp", connection.DirectoryRelyingParty)
	c := e.login()
	if code, body := c.api("GET", "/api/v1/connections/rp/configure-two", ""); code != 200 || body != seedJSON[0] {
		t.Fatalf("unset document: %d %s", code, body)
	}
	for i, doc := range seedJSON {
		if code, body := c.api("PUT", "/api/v1/connections/rp/configure-two", doc); code != 200 || body != doc {
			t.Fatalf("example %d: PUT %d %s", i+1, code, body)
		}
		if _, body := c.api("GET", "/api/v1/connections/rp/configure-two", ""); body != doc {
			t.Fatalf("example %d: GET %s", i+1, body)
		}
	}
	code, body := c.api("PUT", "/api/v1/connections/rp/configure-two", `{"schemaVersion":1,"syncUpnToAdAttribute":{"onWriteFailure":"explode"}}`)
	var ae apiError
	_ = json.Unmarshal([]byte(body), &ae)
	if code != 400 || ae.Field != "configureTwo.syncUpnToAdAttribute.onWriteFailure" {
		t.Fatalf("invalid document: %d %s", code, body)
	}
	if code, _ := c.api("GET", "/api/v1/connections/nope/configure-two", ""); code != 404 {
		t.Fatalf("unknown connection: %d", code)
	}
}

func TestConnectionsAPI(t *testing.T) {
	e := newTestEnv(t)
	c := e.login()
	doc := `{"friendlyName":"X","dnsName":"127.0.0.1","port":1,"searchPath":"dc=x","password":"p"}`
	if code, body := c.api("PUT", "/api/v1/connections/x", doc); code != 201 || !strings.Contains(body, `"hasPassword": true`) {
		t.Fatalf("create: %d %s", code, body)
	}
	if code, _ := c.api("PUT", "/api/v1/connections/x", doc); code != 200 {
		t.Fatalf("update: %d", code)
	}
	code, body := c.api("PUT", "/api/v1/connections/x", `{"dnsName":"","port":0,"searchPath":"dc=x"}`)
	if code != 400 || !strings.Contains(body, `"field": "dnsName"`) {
		t.Fatalf("invalid: %d %s", code, body)
	}
	if code, body := c.api("PUT", "/api/v1/connections/x", `{"bogus":1}`); code != 400 {
		t.Fatalf("unknown field: %d %s", code, body)
	}
	if code, body := c.api("POST", "/api/v1/connections/x/check", ""); code != 502 || !strings.Contains(body, `"code": "directory_`) {
		t.Fatalf("check of a dead server: %d %s", code, body)
	}
	if code, _ := c.api("DELETE", "/api/v1/connections/x", ""); code != 204 {
		t.Fatalf("delete: %d", code)
	}
	if code, _ := c.api("GET", "/api/v1/connections/x", ""); code != 404 {
		t.Fatalf("get deleted: %d", code)
	}
}

func TestLocalUsersAPI(t *testing.T) {
	e := newTestEnv(t)
	c := e.login()
	const pw = "Local-User-Secret-77"
	code, body := c.api("POST", "/api/v1/local-users", `{"userId":"ops@example.com","password":"`+pw+`","displayName":"Ops"}`)
	if code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	id := regexp1(`"id": (\d+)`, body)
	if code, _ := c.api("POST", "/api/v1/local-users", `{"userId":"OPS@example.com","password":"`+pw+`"}`); code != 409 {
		t.Fatalf("duplicate: %d", code)
	}
	// An active synced user's userId is taken, in any case: the refusal
	// names the field and the holder.
	run, err := e.app.Store.CreateRun(context.Background(), store.Run{Connection: "corp", Trigger: store.TriggerManual, Mode: store.ModeFull, Status: store.RunRunning})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.app.Store.Apply(context.Background(), store.Batch{RunID: run, Connection: "corp",
		Creates: []store.User{{ExternalID: "e1", UserID: "synced@example.com", Status: store.StatusActive}}}); err != nil {
		t.Fatal(err)
	}
	held := `already held by user \"synced@example.com\" of connection \"corp\"`
	if code, body := c.api("POST", "/api/v1/local-users", `{"userId":"SYNCED@example.com","password":"`+pw+`"}`); code != 409 ||
		!strings.Contains(body, `"field": "userId"`) || !strings.Contains(body, held) {
		t.Fatalf("local user with a synced user's userId: %d %s", code, body)
	}
	if code, body := c.api("PUT", "/api/v1/local-users/"+id, `{"userId":"Synced@Example.com"}`); code != 409 || !strings.Contains(body, held) {
		t.Fatalf("rename to a synced user's userId: %d %s", code, body)
	}
	if code, body := c.api("POST", "/api/v1/local-users", `{"userId":"a"}`); code != 400 || !strings.Contains(body, `"field": "password"`) {
		t.Fatalf("no password: %d %s", code, body)
	}
	if code, body := c.api("PUT", "/api/v1/local-users/"+id, `{"userId":"ops@example.com","status":"inactive"}`); code != 200 || !strings.Contains(body, `"status": "inactive"`) {
		t.Fatalf("update: %d %s", code, body)
	}
	_, list := c.api("GET", "/api/v1/local-users", "")
	if !strings.Contains(list, "ops@example.com") || strings.Contains(list, pw) || strings.Contains(list, "$2a$") {
		t.Fatalf("list: %s", list)
	}
	if code, _ := c.api("DELETE", "/api/v1/local-users/"+id, ""); code != 204 {
		t.Fatalf("delete: %d", code)
	}
	if code, _ := c.api("GET", "/api/v1/local-users/"+id, ""); code != 404 {
		t.Fatalf("get deleted: %d", code)
	}
}

// waitRun polls a run's progress until it is done.
func waitRun(t *testing.T, c *client, id string) progressView {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		_, body := c.api("GET", "/api/v1/runs/"+id+"/progress", "")
		var p progressView
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			t.Fatalf("progress: %v %s", err, body)
		}
		if p.Done {
			return p
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("run did not finish")
	return progressView{}
}

func TestRunsAndUsersAPI(t *testing.T) {
	e := newTestEnv(t)
	putDemo(t, e, "demo", connection.DirectorySource)
	c := e.login()
	code, body := c.api("POST", "/api/v1/runs", `{"connection":"demo"}`)
	if code != 202 {
		t.Fatalf("start: %d %s", code, body)
	}
	id := regexp1(`"runId": (\d+)`, body)
	p := waitRun(t, c, id)
	if p.Status != store.RunSucceeded || p.Created != 99 || p.EntriesRead != 100 {
		t.Fatalf("progress %+v", p)
	}
	if code, body := c.api("GET", "/api/v1/runs/"+id+"?action=skipped", ""); code != 200 || strings.Count(body, `"action": "skipped"`) != 1 {
		t.Fatalf("outcomes: %d %s", code, body)
	}
	if code, _ := c.api("GET", "/api/v1/runs/"+id+"?action=bogus", ""); code != 400 {
		t.Fatalf("bad action: %d", code)
	}
	if code, _ := c.api("POST", "/api/v1/runs", `{"connection":"nope"}`); code != 404 {
		t.Fatalf("unknown connection: %d", code)
	}
	if code, body := c.api("POST", "/api/v1/runs/"+id+"/approve", ""); code != 400 {
		t.Fatalf("approve a finished run: %d %s", code, body)
	}
	_, body = c.api("GET", "/api/v1/users?limit=10&offset=5", "")
	var page userPage
	if err := json.Unmarshal([]byte(body), &page); err != nil || len(page.Items) != 10 || !page.HasMore {
		t.Fatalf("paging: %v %s", err, body)
	}
	_, body = c.api("GET", "/api/v1/users?search="+url.QueryEscape(page.Items[0].UserID), "")
	if !strings.Contains(body, page.Items[0].UserID) {
		t.Fatalf("search: %s", body)
	}
	code, body = c.api("GET", fmt.Sprintf("/api/v1/users/%d", page.Items[0].ID), "")
	if code != 200 || !strings.Contains(body, `"action": "created"`) {
		t.Fatalf("user detail: %d %s", code, body)
	}
}

// TestPasswordNeverShown sets a distinctive bind password, then crawls
// every page (following links) and every GET API route: the password
// appears nowhere.
func TestPasswordNeverShown(t *testing.T) {
	e := newTestEnv(t)
	d := startDemoDir(t)
	c := e.login()
	pw := d.Password
	conn := d.Connection("crawl")
	conn.DirectoryType = connection.DirectoryRelyingParty
	raw, _ := json.Marshal(struct {
		connection.Connection
		Password string `json:"password"`
	}{conn, pw})
	if code, body := c.api("PUT", "/api/v1/connections/crawl", string(raw)); code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	code, body := c.api("POST", "/api/v1/runs", `{"connection":"crawl"}`)
	id := regexp1(`"runId": (\d+)`, body)
	if id == "" {
		t.Fatalf("start run: %d %s", code, body)
	}
	waitRun(t, c, id)
	check := func(where, body string) {
		if strings.Contains(body, pw) {
			t.Errorf("%s shows the bind password", where)
		}
	}
	_, body = c.api("POST", "/api/v1/connections/crawl/check", "")
	check("check", body)
	_, body = c.form("/connections/crawl/check", url.Values{})
	check("check form", body)
	// A failed update re-renders the form: the password typed must not
	// come back.
	_, body = c.form("/connections/crawl", url.Values{"password": {pw}, "port": {"0"}})
	check("failed update", body)

	href := regexp.MustCompile(`href="(/[^"]*)"`)
	seen := map[string]bool{"/": true}
	queue := []string{"/"}
	for _, rt := range e.web.routes {
		if rt.method == "GET" && rt.access != public {
			p := samplePath(rt.path)
			if strings.Contains(rt.path, "{name}") {
				p = strings.ReplaceAll(rt.path, "{name}", "crawl")
			}
			if !seen[p] {
				seen[p] = true
				queue = append(queue, p)
			}
		}
	}
	for len(queue) > 0 && len(seen) < 400 {
		p := queue[0]
		queue = queue[1:]
		code, body := c.call("GET", p, "", "", nil)
		if code >= 500 {
			t.Errorf("GET %s: %d", p, code)
		}
		check("GET "+p, body)
		for _, m := range href.FindAllStringSubmatch(body, -1) {
			u := strings.ReplaceAll(m[1], "&amp;", "&")
			if !seen[u] && !strings.HasPrefix(u, "/static/") {
				seen[u] = true
				queue = append(queue, u)
			}
		}
	}
	if len(seen) < 20 {
		t.Fatalf("crawled only %d pages", len(seen))
	}
}

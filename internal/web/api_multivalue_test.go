package web

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/mapping"
)

// TestMappingsAPIMultiValue: the mapping editor's API takes multiValue and
// separator, refuses a bad one naming the field, and stores a good one.
func TestMappingsAPIMultiValue(t *testing.T) {
	e := newTestEnv(t)
	putDemo(t, e, "demo", connection.DirectorySource)
	c := e.login()
	const head = `{"mappings": [{"source": "userPrincipalName", "target": "userId"}, {"source": "cn", "target": "displayName"}, `
	const tail = `], "leavePolicy": {"action": "deactivate"}}`
	for _, tt := range []struct{ mapping, want string }{
		{`{"source": "memberOf", "target": "groups", "multiValue": "all"}`, `must be first, join or error, got \"all\"`},
		{`{"source": "memberOf", "target": "groups", "separator": "|"}`, `only applies with multiValue \"join\"`},
	} {
		code, body := c.api("PUT", "/api/v1/connections/demo/mappings", head+tt.mapping+tail)
		if code != 400 || !strings.Contains(body, `"field": "mappings[2].`) || !strings.Contains(body, tt.want) {
			t.Errorf("PUT %s: %d %s", tt.mapping, code, body)
		}
	}
	good := head + `{"source": "memberOf", "target": "groups", "multiValue": "join", "separator": "|"}` + tail
	if code, body := c.api("PUT", "/api/v1/connections/demo/mappings", good); code != 200 {
		t.Fatalf("PUT: %d %s", code, body)
	}
	_, body := c.api("GET", "/api/v1/connections/demo/mappings", "")
	var d mappingsDoc
	if err := json.Unmarshal([]byte(body), &d); err != nil || len(d.Mappings) != 3 {
		t.Fatalf("GET: %v %s", err, body)
	}
	if got := d.Mappings[2]; got.MultiValue != mapping.MultiValueJoin || got.Separator != "|" {
		t.Errorf("stored mapping = %+v", got)
	}
}

// TestLocalUsersAPICustomFields: a local user's custom field is held to the
// limits a sync applies: "$$$" is refused naming the field, and a field
// written "custom2" is stored as Custom2.
func TestLocalUsersAPICustomFields(t *testing.T) {
	e := newTestEnv(t)
	c := e.login()
	const pw = "Local-User-Secret-77"
	code, body := c.api("POST", "/api/v1/local-users", `{"userId":"cf@example.com","password":"`+pw+`","fields":{"Custom2":"x$$$Custom9=y"}}`)
	if code != 400 || !strings.Contains(body, `"field": "fields.Custom2"`) || !strings.Contains(body, `value contains the separator`) {
		t.Fatalf("create with the separator: %d %s", code, body)
	}
	code, body = c.api("POST", "/api/v1/local-users", `{"userId":"cf@example.com","password":"`+pw+`","fields":{"custom2":"Engineer"}}`)
	if code != 201 || !strings.Contains(body, `"Custom2": "Engineer"`) {
		t.Fatalf("create: %d %s", code, body)
	}
}

package web

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
)

// TestExpressionTestAPI: POST /api/v1/connections/{name}/mappings/test
// evaluates an expression against a directory entry and returns what it
// read and gave; bad input names its field.
func TestExpressionTestAPI(t *testing.T) {
	e := newTestEnv(t)
	putDemo(t, e, "demo", connection.DirectorySource)
	c := e.login()
	const path = "/api/v1/connections/demo/mappings/test"

	code, body := c.api("POST", path, `{"user": "zoe.weber", "expression": "ToLower(Join(\".\", [givenName], [sn], [middleName]))"}`)
	var res app.ExpressionTest
	if err := json.Unmarshal([]byte(body), &res); code != 200 || err != nil {
		t.Fatalf("test: %d %v %s", code, err, body)
	}
	if !strings.HasPrefix(res.DN, "CN=Zoe Weber,") || len(res.Values) != 1 || res.Values[0] != "zoe.weber" || len(res.Reads) != 3 ||
		res.Reads[0].Name != "givenName" || len(res.Reads[2].Values) != 0 || res.Error != "" {
		t.Fatalf("test result: %+v", res)
	}

	code, body = c.api("POST", path, `{"user": "zoe.weber", "expression": "Error(\"no\")"}`)
	if code != 200 || !strings.Contains(body, `"error": "expr: Error at position 1: no: the expression raised an error"`) {
		t.Fatalf("failing expression: %d %s", code, body)
	}
	for _, tc := range []struct {
		body, field string
		code        int
	}{
		{`{"user": "zoe.weber", "expression": "Join(\",\", [a]"}`, `"field": "expression"`, 400},
		{`{"user": "", "expression": "[cn]"}`, `"field": "user"`, 400},
		{`{"user": "zoe.weber", "expression": "[cn]", "extra": 1}`, `unknown field`, 400},
		{`{"user": "nobody.here", "expression": "[cn]"}`, `no directory entry found`, 404},
	} {
		if code, body := c.api("POST", path, tc.body); code != tc.code || !strings.Contains(body, tc.field) {
			t.Errorf("%s: %d %s, want %d with %s", tc.body, code, body, tc.code, tc.field)
		}
	}
	if code, body := c.api("POST", "/api/v1/connections/nope/mappings/test", `{"user": "x", "expression": "[cn]"}`); code < 400 || code >= 500 || !strings.Contains(body, "nope") {
		t.Errorf("unknown connection: %d %s, want a client error naming it", code, body)
	}
}

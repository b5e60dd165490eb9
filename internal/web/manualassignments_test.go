package web

import (
	"net/url"
	"strings"
	"testing"
)

// TestManualAssignmentsSetting: the connection setting that decides whether
// syncs overwrite manual assignments is in the API document, validated with
// the field named, and editable in the Edit Directory form.
func TestManualAssignmentsSetting(t *testing.T) {
	e := newTestEnv(t)
	c := e.login()
	doc := func(v string) string {
		return `{"friendlyName":"X","dnsName":"127.0.0.1","port":1,"searchPath":"dc=x","password":"p","manualAssignments":"` + v + `"}`
	}
	if code, body := c.api("PUT", "/api/v1/connections/x", doc("overwrite")); code != 201 || !strings.Contains(body, `"manualAssignments": "overwrite"`) {
		t.Fatalf("create with overwrite: %d %s", code, body)
	}
	code, body := c.api("PUT", "/api/v1/connections/x", doc("always"))
	if code != 400 || !strings.Contains(body, `"field": "manualAssignments"`) || !strings.Contains(body, `got \"always\"`) {
		t.Fatalf("a bad value must be refused naming the field: %d %s", code, body)
	}
	if _, body := c.api("GET", "/api/v1/connections/x", ""); !strings.Contains(body, `"manualAssignments": "overwrite"`) {
		t.Fatalf("the refused update changed the connection: %s", body)
	}

	page := c.get("/connections/x", 200)
	if !strings.Contains(page, `<option value="overwrite" selected>`) {
		t.Fatalf("the edit form does not show the setting:\n%s", page)
	}
	if code, body := c.form("/connections/x", url.Values{"manualAssignments": {"keep"}}); code >= 400 {
		t.Fatalf("form update: %d %s", code, body)
	}
	if _, body := c.api("GET", "/api/v1/connections/x", ""); !strings.Contains(body, `"manualAssignments": "keep"`) {
		t.Fatalf("the form did not save the setting: %s", body)
	}
}

package web

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// Names are plain text of at most 256 bytes, and searches are bounded: bad
// input answers 400 naming the field, never 500, and stores nothing.
func TestNamesAndSearchesAreBounded(t *testing.T) {
	e := newTestEnv(t)
	c := e.login()
	long := strings.Repeat("n", 100<<10)
	for _, tc := range []struct{ name, value string }{
		{"NUL", "a\x00b"},
		{"right-to-left override", "admins\u202Etxt.exe"},
		{"escape sequence", "\x1b]0;pwned\x07"},
		{"100 KB", long},
		{"257 bytes", strings.Repeat("n", 257)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, _ := json.Marshal(map[string]string{"name": tc.value})
			code, resp := c.api("POST", "/api/v1/groups", string(body))
			if code != 400 || !strings.Contains(resp, `"field": "name"`) {
				t.Errorf("API: %d %.300s, want 400 naming name", code, resp)
			}
			code, page := c.form("/entities", url.Values{"kind": {"group"}, "name": {tc.value}})
			if code != 400 {
				t.Errorf("form: %d, want 400\n%.300s", code, page)
			}
		})
	}
	// Invalid UTF-8 reaches the server only through a form.
	if code, _ := c.form("/entities", url.Values{"kind": {"group"}, "name": {"a\xffb"}}); code != 400 {
		t.Errorf("invalid UTF-8 name: %d, want 400", code)
	}
	if code, resp := c.api("POST", "/api/v1/groups", `{"name":"`+strings.Repeat("n", 256)+`"}`); code != 201 {
		t.Errorf("a 256-byte name: %d %s", code, resp)
	}
	if _, list := c.api("GET", "/api/v1/groups", ""); strings.Count(list, `"name"`) != 1 {
		t.Errorf("refused names were stored: %.500s", list)
	}

	search := strings.Repeat("x", 50000)
	if code, resp := c.api("GET", "/api/v1/users?search="+search, ""); code != 400 || !strings.Contains(resp, `"field": "search"`) {
		t.Errorf("50,000-character search: %d %.300s, want 400 naming search", code, resp)
	}
	if code, _ := c.call("GET", "/users?q="+search, "", "", nil); code != 400 {
		t.Errorf("users page with a 50,000-character search: %d, want 400", code)
	}
	if code, resp := c.api("GET", "/api/v1/users/explain?user="+search, ""); code != 400 || !strings.Contains(resp, `"field": "user"`) {
		t.Errorf("explain with a 50,000-character user: %d %.300s, want 400 naming user", code, resp)
	}
	if code, resp := c.api("GET", "/api/v1/connections/any/directory-users?q="+search, ""); code != 400 || !strings.Contains(resp, `"field": "q"`) {
		t.Errorf("directory search with 50,000 characters: %d %.300s, want 400 naming q", code, resp)
	}
	if code, resp := c.api("GET", "/api/v1/users?search=alice", ""); code != 200 {
		t.Errorf("short search: %d %s", code, resp)
	}
	if code, resp := c.api("POST", "/api/v1/tokens", `{"name":"ci\u001b[2J"}`); code != 400 || !strings.Contains(resp, `"field": "name"`) {
		t.Errorf("token name with an escape: %d %s", code, resp)
	}
	if code, resp := c.api("PUT", "/api/v1/connections/fast", `{"dnsName":"h","searchPath":"dc=x","schedule":"@every 1s","minInterval":"1ms"}`); code != 400 || !strings.Contains(resp, `"field": "minInterval"`) {
		t.Errorf("minInterval 1ms: %d %s, want 400 naming minInterval", code, resp)
	}

	pw := "Local-Passw0rd-Long-Enough"
	for _, tc := range []struct{ body, field string }{
		{`{"userId":"a\u202Eb","password":"` + pw + `"}`, "userId"},
		{`{"userId":"` + strings.Repeat("u", 300) + `","password":"` + pw + `"}`, "userId"},
		{`{"userId":"big","password":"` + pw + `","displayName":"` + strings.Repeat("d", 70<<10) + `"}`, "fields.displayName"},
	} {
		if code, resp := c.api("POST", "/api/v1/local-users", tc.body); code != 400 || !strings.Contains(resp, `"field": "`+tc.field+`"`) {
			t.Errorf("local user %.60s: %d %.300s, want 400 naming %s", tc.body, code, resp, tc.field)
		}
	}
}

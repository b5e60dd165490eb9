package scimlog

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzRedactBody: whatever a client sends, the logged body is empty, a note
// about the body, or JSON in which every password attribute, and the value
// of every PATCH operation whose path names one, is redacted.
func FuzzRedactBody(f *testing.F) {
	for _, seed := range []string{
		`{"userName":"a","password":"secret"}`,
		`{"Operations":[{"path":"displayName","PATH":"password","Value":"secret"}]}`,
		`{"Operations":[{"op":"Replace","path":"password","value":"secret"}]}`,
		`{"Operations":[{"op":"replace","value":{"Password":"secret"}}]}`,
		`{"x":[{"urn:a:b:User:password":{"v":"secret"}}]}`,
		`[1, "two", null, {"password": ["a", "b"]}]`,
		`{"password":"a"} {"password":"b"}`,
		``, `   `, `{`, `"str"`, `null`,
	} {
		f.Add([]byte(seed), false)
	}
	f.Fuzz(func(t *testing.T, body []byte, truncated bool) {
		out := redactBody(body, truncated)
		if out == "" || strings.HasPrefix(out, "(body of ") {
			return
		}
		var v any
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("logged body %q is neither a note nor JSON: %v", out, err)
		}
		if leak := findSecret(v); leak != "" {
			t.Fatalf("%q logged as %s: %s", body, out, leak)
		}
	})
}

// findSecret returns a description of a secret left in v, or "".
func findSecret(v any) string {
	switch v := v.(type) {
	case map[string]any:
		for pk, p := range v {
			ps, ok := p.(string)
			if !ok || !strings.EqualFold(pk, "path") || !secretAttribute(ps) {
				continue
			}
			for k, x := range v {
				if strings.EqualFold(k, "value") && x != Redacted {
					return "the value of a PATCH of " + ps
				}
			}
		}
		for k, x := range v {
			if secretAttribute(k) && x != Redacted {
				return "the attribute " + k
			}
			if s := findSecret(x); s != "" {
				return s
			}
		}
	case []any:
		for _, x := range v {
			if s := findSecret(x); s != "" {
				return s
			}
		}
	}
	return ""
}

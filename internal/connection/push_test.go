package connection

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// A push target's bearer token is a credential: it is packed into the
// sealed password and never written back out.
func TestPushTargetTokenIsNeverReturned(t *testing.T) {
	c, err := Parse([]byte(`{"name":"app","directoryType":"target","systemType":"scim",
		"baseUrl":"https://app.example.test/scim/v2","token":"s3cret-token"}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("valid target refused: %v", err)
	}
	if cred, ok := c.PushCredential(); !ok || cred.Token != "s3cret-token" {
		t.Fatalf("credential = %+v, %v; want the token packed for sealing", cred, ok)
	}
	if !c.IsPushTarget() || c.IsSCIM() {
		t.Fatalf("IsPushTarget %v IsSCIM %v: a target is not a SCIM source", c.IsPushTarget(), c.IsSCIM())
	}
	out, _ := json.Marshal(c)
	if strings.Contains(string(out), "s3cret") || !strings.Contains(string(out), `"hasPassword":true`) {
		t.Fatalf("marshalled target leaks or hides its credential: %s", out)
	}
	if w := c.Insecure(); len(w) != 0 {
		t.Fatalf("https target with a token warned: %v", w)
	}
}

func TestPushTargetProblemsNameTheirFields(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		fields    []string
	}{
		{"nothing", `{"name":"app","directoryType":"target","systemType":"scim"}`, []string{"baseUrl"}},
		{"ldap target", `{"name":"app","directoryType":"target","systemType":"ldap","dnsName":"x","searchPath":"dc=x"}`, []string{"directoryType"}},
		{"bad url and match", `{"name":"app","directoryType":"target","systemType":"scim","baseUrl":"ftp://x","matchAttribute":"mail"}`, []string{"baseUrl", "matchAttribute"}},
		{"token and oauth", `{"name":"app","directoryType":"target","systemType":"scim","baseUrl":"https://x/scim","token":"t","tokenUrl":"https://x/token","clientId":"c","clientSecret":"s"}`, []string{"token"}},
		{"client id alone", `{"name":"app","directoryType":"target","systemType":"scim","baseUrl":"https://x/scim","clientId":"c"}`, []string{"tokenUrl"}},
		{"mapping to a bad path", `{"name":"app","directoryType":"target","systemType":"scim","baseUrl":"https://x/scim","mappings":[{"source":"email","target":"emails[0]"},{"expression":"Join(","target":"title"}]}`, []string{"mappings[0].target", "mappings[1].expression"}},
		{"ldap fields", `{"name":"app","directoryType":"target","systemType":"scim","baseUrl":"https://x/scim","dnsName":"dc1","schedule":"@hourly"}`, []string{"dnsName", "schedule"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			err = c.Validate()
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate = %v, want a *ValidationError", err)
			}
			got := map[string]bool{}
			for _, p := range ve.Problems {
				got[p.Field] = true
			}
			for _, f := range tc.fields {
				if !got[f] {
					t.Errorf("no problem names %q; got %v", f, ve.Problems)
				}
			}
			if len(ve.Problems) != len(tc.fields) {
				t.Errorf("problems = %v, want exactly %v", ve.Problems, tc.fields)
			}
		})
	}
}

func TestPushTargetOverPlainHTTPWarns(t *testing.T) {
	c, _ := Parse([]byte(`{"name":"app","directoryType":"target","systemType":"scim","baseUrl":"http://127.0.0.1:9/scim/v2","token":"t"}`))
	w := c.Insecure()
	if len(w) != 1 || w[0].Field != "baseUrl" {
		t.Fatalf("Insecure = %v, want one warning on baseUrl", w)
	}
}

// A stored token is only ever sent to the URL it was entered for: pointing
// the target elsewhere without giving the token again is refused.
func TestPushTargetTokenStaysWithItsURL(t *testing.T) {
	old, _ := Parse([]byte(`{"name":"app","directoryType":"target","systemType":"scim","baseUrl":"https://app.example.test/scim/v2","token":"t"}`))
	for _, tc := range []struct{ doc, field string }{
		{`{"name":"app","directoryType":"target","systemType":"scim","baseUrl":"https://evil.example.test/scim/v2"}`, "baseUrl"},
		{`{"name":"app","directoryType":"target","systemType":"scim","baseUrl":"https://app.example.test/scim/v2","tokenUrl":"https://evil.example.test/t","clientId":"c"}`, "tokenUrl"},
	} {
		next, _ := Parse([]byte(tc.doc))
		err := KeepCredential(old, next, "token", false, true)
		if err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("KeepCredential after changing %s = %v, want the token required again", tc.field, err)
		}
	}
	same, _ := Parse([]byte(`{"name":"app","directoryType":"target","systemType":"scim","baseUrl":"https://app.example.test/scim/v2","matchAttribute":"emails"}`))
	if err := KeepCredential(old, same, "token", false, true); err != nil {
		t.Errorf("an edit that keeps the URL lost the token: %v", err)
	}
}

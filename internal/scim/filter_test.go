package scim

import (
	"errors"
	"testing"
)

// TestMatch: filters of RFC 7644 section 3.4.2.2 against one user, with
// RFC 7643's case rules (userName case-insensitive, externalId and id
// exact).
func TestMatch(t *testing.T) {
	r := res(t, `{"userName":"BJensen@example.com","externalId":"bjensen","active":true,"title":"Tour Guide",
		"emails":[{"type":"work","value":"bjensen@example.com"},{"type":"home","value":"babs@jensen.org"}],
		"name":{"familyName":"Jensen","givenName":"Barbara"},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"boss-1"},"department":"Tours"}}`)
	r["id"] = "2819c223"
	for _, tc := range []struct {
		filter string
		want   bool
	}{
		{`userName eq "bjensen@example.com"`, true},
		{`externalId eq "BJENSEN"`, false},
		{`id eq "2819c223"`, true},
		{`name.familyName co "ens"`, true},
		{`title sw "tour"`, true},
		{`title ew "Guide"`, true},
		{`title pr`, true},
		{`nickName pr`, false},
		{`not (title pr)`, false},
		{`emails[type eq "work" and value co "@example.com"]`, true},
		{`emails[type eq "home" and value co "@example.com"]`, false},
		{`emails[type eq "work"].value eq "bjensen@example.com"`, true},
		{`emails co "jensen.org"`, true},
		{`active eq true`, true},
		{`active eq false`, false},
		{`manager eq "boss-1"`, true},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "tours"`, true},
		{`title ne "Tour Guide"`, false},
		{`userName eq "x" or title pr`, true},
		{`externalId eq bjensen`, true},
	} {
		e, err := ParseFilter(tc.filter)
		if err != nil {
			t.Errorf("%s: %v", tc.filter, err)
			continue
		}
		if err := checkFilter(KindUser, e); err != nil {
			t.Errorf("%s: %v", tc.filter, err)
			continue
		}
		if got := Match(KindUser, r, e); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.filter, got, tc.want)
		}
	}
}

func TestParseFilterRefuses(t *testing.T) {
	for _, f := range []string{``, `userName`, `userName eq "a" and`, `userName eq "a"]`, `((userName eq "a")`} {
		_, err := ParseFilter(f)
		var e *Error
		if !errors.As(err, &e) || e.Type != TypeInvalidFilter || e.Status != 400 {
			t.Errorf("%q: %v, want 400 invalidFilter", f, err)
		}
	}
}

func TestHint(t *testing.T) {
	e, _ := ParseFilter(`userName eq "BJensen" and externalId eq "x"`)
	if h := hintOf(KindUser, e); h.Name != "bjensen" || h.ExternalID != "x" {
		t.Fatalf("hint %+v", h)
	}
	e, _ = ParseFilter(`userName eq "a" or externalId eq "x"`)
	if h := hintOf(KindUser, e); h != (Hint{}) {
		t.Fatalf("an or must give no hint: %+v", h)
	}
}

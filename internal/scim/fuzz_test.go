package scim

import (
	"errors"
	"reflect"
	"testing"
)

// A PATCH body and a filter come from the SCIM client as they are: whatever
// they hold, parsing and applying them either succeed or fail with a SCIM
// error of status 4xx (never a panic, never a 5xx), and the resource the
// PATCH started from is left as it was.
func FuzzPatchAndFilter(f *testing.F) {
	for _, seed := range []struct{ body, filter string }{
		{`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"title","value":"Buyer"}]}`, `userName eq "a@contoso.com"`},
		{`{"Operations":[{"op":"replace","value":{"name.givenName":"Ann","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"7"}}]}`, `emails[type eq "work"].value eq "a@b"`},
		{`{"Operations":[{"op":"Remove","path":"members[value eq \"x\"]"}]}`, `externalId eq "x" and displayName eq "y"`},
		{`{"Operations":[{"op":"Add","path":"emails[type eq \"work\"].value","value":"a@b"}]}`, `meta.created gt "2020-01-01T00:00:00Z"`},
		{`{"Operations":[{"op":"Replace","path":"active","value":"False"}]}`, `id eq 1`},
		{`{"Operations":[{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"m"}]}`, `userName sw "a" or not (title pr)`},
	} {
		f.Add(seed.body, seed.filter)
	}
	base, err := Normalize(KindUser, map[string]any{
		"userName": "a@contoso.com", "active": true, "title": "Clerk",
		"emails": []any{map[string]any{"type": "work", "value": "a@contoso.com", "primary": true}},
		"name":   map[string]any{"givenName": "A", "familyName": "B"},
	})
	if err != nil {
		f.Fatal(err)
	}
	before := deepCopy(base)
	f.Fuzz(func(t *testing.T, body, flt string) {
		if e, err := ParseFilter(flt); err == nil {
			Match(KindUser, base, e)
		} else {
			checkClientError(t, "filter", err)
		}
		ops, err := parsePatch([]byte(body))
		if err != nil {
			checkClientError(t, "patch", err)
			return
		}
		if _, err := ApplyPatch(KindUser, base, ops); err != nil {
			checkClientError(t, "apply", err)
		}
		if !reflect.DeepEqual(base, before) {
			t.Fatalf("the PATCH changed the resource it started from: %v", base)
		}
	})
}

func checkClientError(t *testing.T, what string, err error) {
	t.Helper()
	var e *Error
	if errors.As(err, &e) && e.Status >= 400 && e.Status < 500 {
		return
	}
	if what == "filter" && !errors.As(err, &e) {
		// ParseFilter's own errors become 400 invalidFilter in the handler.
		return
	}
	t.Fatalf("%s: %v (%T), want a SCIM 4xx error", what, err, err)
}

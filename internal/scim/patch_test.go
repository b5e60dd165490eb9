package scim

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	filter "github.com/scim2/filter-parser/v2"
)

func res(t *testing.T, s string) Resource {
	t.Helper()
	m, err := decodeObject([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Normalize(KindUser, m)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func ops(t *testing.T, s string) []PatchOp {
	t.Helper()
	o, err := parsePatch([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func canon(t *testing.T, r Resource) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestApplyPatch works through RFC 7644 section 3.5.2's operations and
// Entra's forms on one user.
func TestApplyPatch(t *testing.T) {
	base := `{"userName":"bjensen","emails":[{"type":"work","value":"b@work"},{"type":"home","value":"b@home"}],"name":{"givenName":"Barbara"}}`
	for _, tc := range []struct {
		name, ops, want string
	}{
		{"replace a sub-attribute", `{"Operations":[{"op":"Replace","path":"name.givenName","value":"Babs"}]}`,
			`{"userName":"bjensen","emails":[{"type":"work","value":"b@work"},{"type":"home","value":"b@home"}],"name":{"givenName":"Babs"}}`},
		{"replace through a value filter", `{"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":"new@work"}]}`,
			`{"userName":"bjensen","emails":[{"type":"work","value":"new@work"},{"type":"home","value":"b@home"}],"name":{"givenName":"Barbara"}}`},
		{"a value filter that matches nothing creates the element", `{"Operations":[{"op":"replace","path":"phoneNumbers[type eq \"mobile\"].value","value":"555"}]}`,
			`{"userName":"bjensen","emails":[{"type":"work","value":"b@work"},{"type":"home","value":"b@home"}],"name":{"givenName":"Barbara"},"phoneNumbers":[{"type":"mobile","value":"555"}]}`},
		{"remove through a value filter", `{"Operations":[{"op":"remove","path":"emails[type eq \"home\"]"}]}`,
			`{"userName":"bjensen","emails":[{"type":"work","value":"b@work"}],"name":{"givenName":"Barbara"}}`},
		{"add without a path, dotted keys", `{"Operations":[{"op":"Add","value":{"name.familyName":"Jensen","title":"Tour Guide"}}]}`,
			`{"userName":"bjensen","emails":[{"type":"work","value":"b@work"},{"type":"home","value":"b@home"}],"name":{"familyName":"Jensen","givenName":"Barbara"},"title":"Tour Guide"}`},
		{"active as the string False", `{"Operations":[{"op":"Replace","path":"active","value":"False"}]}`,
			`{"active":false,"userName":"bjensen","emails":[{"type":"work","value":"b@work"},{"type":"home","value":"b@home"}],"name":{"givenName":"Barbara"}}`},
		{"add an email already there adds nothing", `{"Operations":[{"op":"add","path":"emails","value":[{"type":"work","value":"b@work"}]}]}`,
			`{"userName":"bjensen","emails":[{"type":"work","value":"b@work"},{"type":"home","value":"b@home"}],"name":{"givenName":"Barbara"}}`},
		{"enterprise attribute by URN path", `{"Operations":[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Tours"}]}`,
			`{"userName":"bjensen","emails":[{"type":"work","value":"b@work"},{"type":"home","value":"b@home"}],"name":{"givenName":"Barbara"},"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Tours"}}`},
		{"the enterprise object without a path", `{"Operations":[{"op":"replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"7"}}}]}`,
			`{"userName":"bjensen","emails":[{"type":"work","value":"b@work"},{"type":"home","value":"b@home"}],"name":{"givenName":"Barbara"},"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"7"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ApplyPatch(KindUser, res(t, base), ops(t, tc.ops))
			if err != nil {
				t.Fatal(err)
			}
			want := res(t, tc.want)
			delete(got, "schemas")
			delete(want, "schemas")
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got  %s\nwant %s", canon(t, got), canon(t, want))
			}
		})
	}
}

// TestApplyPatchLeavesTheInputAlone: a failed PATCH changes nothing, not
// even the resource it was given.
func TestApplyPatchLeavesTheInputAlone(t *testing.T) {
	r := res(t, `{"userName":"bjensen","name":{"givenName":"Barbara"}}`)
	before := canon(t, r)
	_, err := ApplyPatch(KindUser, r, ops(t, `{"Operations":[{"op":"replace","path":"name.givenName","value":"X"},{"op":"replace","path":"nope","value":1}]}`))
	var e *Error
	if !errors.As(err, &e) || e.Type != TypeInvalidPath {
		t.Fatalf("err %v, want invalidPath", err)
	}
	if canon(t, r) != before {
		t.Fatalf("the input changed: %s", canon(t, r))
	}
}

// TestGroupMembers: Entra's default Remove with a value removes only the
// listed members; a remove without a value removes them all.
func TestGroupMembers(t *testing.T) {
	g, err := Normalize(KindGroup, map[string]any{"displayName": "G", "members": []any{
		map[string]any{"value": "a"}, map[string]any{"value": "b"}, map[string]any{"value": "c"}}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := ApplyPatch(KindGroup, g, ops(t, `{"Operations":[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"b"}]}]}`))
	if err != nil || len(got["members"].([]any)) != 2 {
		t.Fatalf("remove b: %v, %v", got, err)
	}
	got, err = ApplyPatch(KindGroup, got, ops(t, `{"Operations":[{"op":"remove","path":"members"}]}`))
	if err != nil || got["members"] != nil {
		t.Fatalf("remove all: %v, %v", got, err)
	}
}

// TestPlainPathAgreesWithTheParser: the shortcut for plain paths reads
// each exactly as the SCIM filter parser does, and leaves every other
// form (URNs, value filters, bad names) to it.
func TestPlainPathAgreesWithTheParser(t *testing.T) {
	for _, tc := range []struct {
		path  string
		plain bool
	}{
		{"title", true}, {"name.givenName", true}, {"members", true}, {"manager.$ref", true}, {"x-Custom_1", true},
		{"userName", true}, {"emails.value", true},
		{`members[value eq "a"]`, false}, {`emails[type eq "work"].value`, false},
		{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", false},
		{"", false}, {"1title", false}, {"name.", false}, {".name", false}, {"a.b.c", false}, {"ti tle", false}, {"$ref", false},
	} {
		p, ok := plainPath(tc.path)
		if ok != tc.plain {
			t.Errorf("plainPath(%q) ok = %v, want %v", tc.path, ok, tc.plain)
			continue
		}
		if !ok {
			continue
		}
		want, err := filter.ParsePath([]byte(tc.path))
		if err != nil {
			t.Errorf("the parser refuses %q: %v", tc.path, err)
			continue
		}
		if p.String() != want.String() || p.AttributePath.AttributeName != want.AttributePath.AttributeName ||
			p.AttributePath.SubAttributeName() != want.AttributePath.SubAttributeName() || want.ValueExpression != nil || want.SubAttribute != nil {
			t.Errorf("plainPath(%q) = %+v, the parser reads %+v", tc.path, p, want)
		}
	}
}

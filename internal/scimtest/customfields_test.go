package scimtest

import (
	"strings"
	"testing"
)

// customDoc maps as the Imagicle provisioning setup does: custom fields travel
// in externalId, joined with "$$$", and the title is custom field 2.
const customDoc = `{"mappings":[
	{"source":"userName","target":"userId"},
	{"expression":"Coalesce([displayName], [userName])","target":"displayName"},
	{"source":"externalId","target":"customFields"},
	{"source":"title","target":"Custom2"}]}`

// TestCustomFieldsAndInjection: custom fields arrive joined with "$$$" in
// externalId and land in their fields; a value carrying "$$$" (an
// injected Custom9) fails the user with a 400 naming the field, and
// changes nothing.
func TestCustomFieldsAndInjection(t *testing.T) {
	stores(t, func(t *testing.T, db func(*testing.T) string) {
		s := Start(t, db(t), Options{Doc: customDoc})
		r := s.Do("POST", "/Users", `{"userName":"cf@example.com","externalId":"ImagicleCustomFields$$$Custom1=Rome$$$Custom3=R&D"}`)
		mustStatus(t, r, 201)
		id := r.JSON["id"].(string)
		u, _ := appUser(t, s, id)
		if u.Fields["Custom1"] != "Rome" || u.Fields["Custom3"] != "R&D" {
			t.Fatalf("custom fields %+v", u.Fields)
		}
		bad := s.Do("PATCH", "/Users/"+id, `{"Operations":[{"op":"Replace","path":"title","value":"evil$$$Custom9=injected"}]}`)
		scimError(t, bad, 400, "invalidValue")
		if d, _ := bad.JSON["detail"].(string); !strings.Contains(d, "Custom2") || !strings.Contains(d, "$$$") {
			t.Errorf("the error does not name the field and the cause: %q", d)
		}
		if u2, _ := appUser(t, s, id); u2.Fields["Custom9"] != "" || u2.Fields["Custom2"] != "" {
			t.Fatalf("an injected separator reached the user: %+v", u2.Fields)
		}
		if got := s.Do("GET", "/Users/"+id, ""); got.JSON["title"] != nil {
			t.Fatalf("the refused PATCH stayed in the resource: %s", got.Raw)
		}
		scimError(t, s.Do("POST", "/Users", `{"userName":"cf2@example.com","title":"a$$$Custom9=b"}`), 400, "invalidValue")
		if r := s.Do("GET", q(`userName eq "cf2@example.com"`), ""); r.JSON["totalResults"] != float64(0) {
			t.Fatalf("a refused create left a resource: %s", r.Raw)
		}
	})
}

package scimtest

import (
	"net/url"
	"strings"
	"testing"
)

// TestMicrosoftCollectionForms covers forms Microsoft's SCIM test
// collection sends that the strict grammar does not: bare filter values
// in compound filters, a date-time filter on meta.created, attributes
// with a value filter, the reference code's /serviceConfiguration path,
// and members added as bare strings.
func TestMicrosoftCollectionForms(t *testing.T) {
	s := Start(t, "", Options{})
	for _, u := range []string{"OMalley", "emp1", "emp2"} {
		mustStatus(t, s.Do("POST", "/Users", `{"userName":"`+u+`","name":{"familyName":"Employee"},
			"emails":[{"type":"work","value":"`+u+`@example.com","primary":true}]}`), 201)
	}
	for _, tc := range []struct {
		filter string
		want   int
	}{
		{`name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)`, 3},
		{`userName sw O`, 1},
		{`meta.Created gt 2015-10-10T14:38:21.8617979-07:00`, 3},
		{`meta.created lt "2015-10-10T14:38:21Z"`, 0},
	} {
		r := s.Do("GET", "/Users?filter="+url.QueryEscape(tc.filter), "")
		mustStatus(t, r, 200)
		if r.JSON["totalResults"] != float64(tc.want) {
			t.Errorf("filter %s: %s", tc.filter, r.Raw)
		}
	}
	r := s.Do("GET", "/Users?attributes="+url.QueryEscape(`emails[type eq "work"]`), "")
	mustStatus(t, r, 200)
	if !strings.Contains(string(r.Raw), "OMalley@example.com") || strings.Contains(string(r.Raw), "Employee") {
		t.Errorf("attributes=emails[type eq \"work\"]: %s", r.Raw)
	}
	cfg := s.Do("GET", "/serviceConfiguration", "")
	mustStatus(t, cfg, 200)
	if cfg.JSON["patch"].(map[string]any)["supported"] != true {
		t.Errorf("serviceConfiguration: %s", cfg.Raw)
	}
	g := s.Do("POST", "/Groups", `{"displayName":"Group 1","schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"]}`)
	mustStatus(t, g, 201)
	gid := g.JSON["id"].(string)
	mustStatus(t, s.Do("PATCH", "/Groups/"+gid, `{"id":"`+gid+`","Operations":[{"op":"add","path":"members","value":"string id 1"}],
		"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`), 204)
	got := s.Do("GET", "/Groups/"+gid, "")
	if !strings.Contains(string(got.Raw), `"value":"string id 1"`) {
		t.Errorf("members after adding a bare string: %s", got.Raw)
	}
}

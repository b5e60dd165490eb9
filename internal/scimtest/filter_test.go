package scimtest

import (
	"net/http"
	"net/url"
	"testing"
)

// TestListWithFilter: Microsoft queries users "with their id and ...
// their username and externalId", and "if user uniqueness is evaluated
// for both userName and emails[type eq "work"], a GET to /Users with a
// filter must allow for both"; RFC 7643 makes userName case-insensitive.
func TestListWithFilter(t *testing.T) {
	stores(t, func(t *testing.T, db func(*testing.T) string) {
		s := Start(t, db(t), Options{})
		a := s.Do("POST", "/Users", createBody("bjensen@example.com", "bjensen@work.example.com"))
		mustStatus(t, a, 201)
		mustStatus(t, s.Do("POST", "/Users", `{"userName":"jsmith@example.com","displayName":"John Smith","externalId":"jsmith",
			"emails":[{"type":"home","value":"bjensen@work.example.com"}]}`), 201)
		id := a.JSON["id"].(string)
		for _, tc := range []struct {
			filter string
			want   int
		}{
			{`userName eq "bjensen@example.com"`, 1},
			{`userName eq "BJENSEN@EXAMPLE.COM"`, 1},
			{`USERNAME eq "bjensen@example.com"`, 1},
			{`userName eq "nobody@example.com"`, 0},
			{`externalId eq "ext-bjensen@example.com"`, 1},
			{`externalId eq "EXT-bjensen@example.com"`, 0}, // externalId is caseExact
			{`externalId eq jsmith`, 1},                    // Microsoft's unquoted example
			{`id eq "` + id + `"`, 1},
			{`id eq "no-such-id"`, 0},
			{`displayName eq "John Smith"`, 1},
			{`emails[type eq "work"].value eq "bjensen@work.example.com"`, 1},
			{`emails[type eq "work" and value eq "bjensen@work.example.com"]`, 1},
			{`emails.value eq "bjensen@work.example.com"`, 2},
			{`userName eq "bjensen@example.com" and externalId eq "ext-bjensen@example.com"`, 1},
			{`userName eq "bjensen@example.com" and externalId eq "jsmith"`, 0},
			{`userName eq "bjensen@example.com" or externalId eq "jsmith"`, 2},
			{`userName sw "j"`, 1},
			{`title pr`, 0},
			{`active eq true`, 2}, // the second user was created without active, so active
			{`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "jsmith@example.com"`, 1},
		} {
			r := s.Do("GET", q(tc.filter), "")
			mustStatus(t, r, http.StatusOK)
			if got := r.JSON["totalResults"]; got != float64(tc.want) {
				t.Errorf("filter %s: totalResults %v, want %d", tc.filter, got, tc.want)
			}
		}
	})
}

func TestBadFilters(t *testing.T) {
	s := Start(t, "", Options{})
	for _, f := range []string{`userName eq`, `userName eq "x`, `(userName eq "x"`, `userName xx "x"`, `emails[type eq "work"`, `"x"`, `and`} {
		scimError(t, s.Do("GET", q(f), ""), 400, "invalidFilter")
	}
}

// TestPaging follows RFC 7644 section 3.4.2.4: startIndex is 1-based (less
// than 1 is 1), count caps the page (negative is 0), totalResults counts
// every match.
func TestPaging(t *testing.T) {
	s := Start(t, "", Options{})
	for i := range 5 {
		mustStatus(t, s.Do("POST", "/Users", createBody("u"+string(rune('a'+i))+"@example.com", "m@example.com")), 201)
	}
	for _, tc := range []struct {
		query        string
		items, start int
	}{
		{"?count=2", 2, 1},
		{"?startIndex=4&count=2", 2, 4},
		{"?startIndex=5&count=10", 1, 5},
		{"?startIndex=9", 0, 9},
		{"?startIndex=0&count=1", 1, 1},
		{"?count=-3", 0, 1},
		{"?count=0", 0, 1},
	} {
		r := s.Do("GET", "/Users"+tc.query, "")
		mustStatus(t, r, 200)
		if r.JSON["totalResults"] != float64(5) || len(r.JSON["Resources"].([]any)) != tc.items || r.JSON["startIndex"] != float64(tc.start) ||
			r.JSON["itemsPerPage"] != float64(tc.items) {
			t.Errorf("%s: %s", tc.query, r.Raw)
		}
	}
	scimError(t, s.Do("GET", "/Users?count=ten", ""), 400, "invalidValue")
}

// TestAttributes: attributes and excludedAttributes (RFC 7644 section
// 3.4.2.5); id is always returned.
func TestAttributes(t *testing.T) {
	s := Start(t, "", Options{})
	mustStatus(t, s.Do("POST", "/Users", createBody("bjensen@example.com", "b@example.com")), 201)
	r := s.Do("GET", "/Users?attributes=userName", "")
	res := r.JSON["Resources"].([]any)[0].(map[string]any)
	if res["userName"] == nil || res["id"] == nil || res["emails"] != nil || res["name"] != nil {
		t.Fatalf("attributes=userName gave %v", res)
	}
	r = s.Do("GET", "/Users?excludedAttributes=emails,name", "")
	res = r.JSON["Resources"].([]any)[0].(map[string]any)
	if res["userName"] == nil || res["emails"] != nil || res["name"] != nil {
		t.Fatalf("excludedAttributes=emails,name gave %v", res)
	}
	scimError(t, s.Do("GET", "/Users?attributes=shoeSize", ""), 400, "invalidValue")
}

// TestFilterOnUnknownAttribute: RFC 7644 section 3.4.2.2 answers a filter
// the server cannot apply with 400 invalidFilter, not an empty list.
func TestFilterOnUnknownAttribute(t *testing.T) {
	s := Start(t, "", Options{})
	for _, f := range []string{`shoeSize eq "42"`, `name.shoeSize eq "x"`, `emails[shoe eq "x"]`, `userName eq "a" and shoeSize eq "42"`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:shoeSize eq "x"`} {
		scimError(t, s.Do("GET", q(f), ""), 400, "invalidFilter")
	}
	scimError(t, s.Do("GET", "/Groups?filter="+url.QueryEscape(`userName eq "x"`), ""), 400, "invalidFilter")
}

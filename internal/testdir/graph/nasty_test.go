package graph

import (
	"fmt"
	"net/url"
	"testing"
)

// TestNastyValues: values with quotes, backslashes, control characters,
// markup and non-ASCII letters come back exactly as written, in a delta and
// through a filter; duplicate members count once; putting a user again
// with fewer properties clears the others (null in the next delta).
func TestNastyValues(t *testing.T) {
	s := New(t)
	names := []string{`Zoë "Q" O'Brien`, "back\\slash", "line\nbreak\ttab\x01", "<script>&amp;</script>", "日本語 \u2028 sep", ""}
	ids := map[string]string{}
	for i, n := range names {
		ids[n] = mustPutUser(t, s, User{UserPrincipalName: fmt.Sprintf("n%d@contoso.example", i), DisplayName: n, JobTitle: "T"})
	}
	tok := token(t, s)
	ps, dl := followRound(t, s, tok, "/users/delta?$select=displayName,jobTitle")
	got := byID(t, items(t, ps))
	for n, id := range ids {
		v, ok := got[id]["displayName"]
		if n == "" {
			if ok {
				t.Errorf("an empty displayName is an unset property, yet returned as %q", v)
			}
			continue
		}
		if v != n {
			t.Errorf("displayName %q came back as %q", n, v)
		}
	}
	a := get(t, s, tok, "/users?$filter="+url.QueryEscape(`displayName eq 'Zoë "Q" O''Brien'`))
	if o := a.value(t); len(o) != 1 || o[0]["id"] != ids[`Zoë "Q" O'Brien`] {
		t.Errorf("filter on a value with quotes: %s", a.raw)
	}

	g := mustPutGroup(t, s, Group{DisplayName: "Dup", Members: []string{ids["back\\slash"], ids["back\\slash"]}})
	if m := s.Members(g); len(m) != 1 {
		t.Errorf("duplicate members: %v", m)
	}
	if err := s.AddMember(g, ids["back\\slash"]); err != nil {
		t.Errorf("adding a member already there: %v", err)
	}

	id := ids["back\\slash"]
	mustPutUser(t, s, User{ID: id, UserPrincipalName: "n1@contoso.example", DisplayName: "back\\slash"})
	ps, _ = followRound(t, s, tok, dl)
	o := items(t, ps)
	if len(o) != 1 || o[0]["id"] != id {
		t.Fatalf("after putting the user again without jobTitle: %v", o)
	}
	if v, ok := o[0]["jobTitle"]; !ok || v != nil {
		t.Errorf("jobTitle dropped by PutUser: want null, got %v (present %v)", v, ok)
	}
}

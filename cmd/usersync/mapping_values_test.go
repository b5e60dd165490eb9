package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// valuesLDIF holds users whose values are hostile to joined forms: a title
// that smuggles a custom field in through the "$$$" separator, values that
// end in it or in "$", and users with several values of ou.
func valuesLDIF() []byte {
	var b strings.Builder
	user := func(uid string, attrs ...string) {
		fmt.Fprintf(&b, "dn: uid=%s,%s\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: %s\n", uid, slapd.PeopleDN, uid, uid, uid)
		for _, a := range attrs {
			b.WriteString(a + "\n")
		}
		b.WriteString("\n")
	}
	user("good", "l: Paris", "title: Engineer", "ou: Engineering")
	user("evil", "l: Berlin", "title: evil$$$Custom9=injected")
	user("trailing", "l: Rome$$$", "title: Clerk")
	user("dollar", "l: US$", "title: Clerk")
	user("later", "l: Oslo", "title: Manager")
	user("multi", "ou: Engineering", "ou: Berlin", "ou: Sales")
	user("semi", "ou: R;D", "ou: Berlin")
	return []byte(b.String())
}

// valuesDoc is a connection to s that reads only the users named.
func valuesDoc(s *slapd.Server, mappings []any, uids ...string) map[string]any {
	doc := connDoc(s)
	filter := ""
	for _, u := range uids {
		filter += "(uid=" + u + ")"
	}
	doc["searchFilter"] = "(&(objectClass=inetOrgPerson)(|" + filter + "))"
	doc["mappings"] = append([]any{
		map[string]any{"source": "uid", "target": "userId"},
		map[string]any{"source": "cn", "target": "displayName"},
	}, mappings...)
	return doc
}

// customFieldsREADME is the README's custom-field mapping: Join/Append
// with the "$$$" separator.
const customFieldsREADME = `Join("$$$", "ImagicleCustomFields", Append("Custom1=", [l]), Append("Custom2=", [title]))`

// TestCustomFieldSeparatorInValue: custom field content must not contain
// "$$$", the separator of the joined form. A value holding it
// would otherwise inject further custom fields. Values are checked before
// they are joined: the user fails with a reason naming the field, nothing
// of it is written, and a user synced before keeps its fields.
func TestCustomFieldSeparatorInValue(t *testing.T) {
	s := slapd.StartLDIF(t, valuesLDIF())
	c := newCLI(t)
	joined := func(e string) []any { return []any{map[string]any{"expression": e, "target": "customFields"}} }
	for _, form := range []struct {
		name     string
		mappings []any
		counts   store.Counts
		reasons  []string
	}{
		{"with marker", joined(customFieldsREADME), store.Counts{Created: 2, Failed: 3},
			[]string{"Custom2", "[title]", "Custom1", "[l]", `\"$$$\"`, `ends in part of the separator`}},
		{"README lowercase names, no marker", joined(`Join("$$$", Append("custom1=", [l]), Append("custom2=", [title]))`),
			store.Counts{Created: 2, Failed: 3}, []string{"Custom2", "[title]", "Custom1", "[l]", `\"$$$\"`, `ends in part of the separator`}},
		// Fields mapped one by one are never joined here, so "US$" is
		// content; "$$$" is refused all the same, strict or not.
		{"direct targets", []any{map[string]any{"source": "l", "target": "Custom1"}, map[string]any{"source": "title", "target": "Custom2"}},
			store.Counts{Created: 3, Failed: 2}, []string{"Custom2", "Custom1", `\"$$$\"`}},
	} {
		t.Run(form.name, func(t *testing.T) {
			c.apply(valuesDoc(s, form.mappings, "good", "evil", "trailing", "dollar", "later"))
			rep, _ := c.sync("corp")
			wantCounts(t, rep, form.counts)
			users := usersByID(t, c)
			if _, ok := users["evil"]; ok {
				t.Fatalf("evil was created: %+v", users["evil"])
			}
			for id, u := range users {
				if v, ok := u.Fields["Custom9"]; ok {
					t.Errorf("%s got Custom9=%q", id, v)
				}
			}
			if g := users["good"].Fields; g["Custom1"] != "Paris" || g["Custom2"] != "Engineer" {
				t.Errorf("good's custom fields = %v", g)
			}
			out := c.outcomes(rep.ID, "failed")
			for _, want := range form.reasons {
				if !strings.Contains(out, want) {
					t.Errorf("failed outcomes lack %q:\n%s", want, out)
				}
			}

			// An operator cannot put the separator into a custom field either.
			id := fmt.Sprint(users["good"].ID)
			if out, code := c.run("users", "set", id, "custom2", "x$$$Custom9=y"); code != exitUsage || !strings.Contains(out, `Custom2: value contains the separator "$$$"`) {
				t.Errorf("users set custom2 with the separator: code %d\n%s", code, out)
			}
			if g := usersByID(t, c)["good"].Fields; g["Custom2"] != "Engineer" || g["Custom9"] != "" {
				t.Errorf("a refused edit changed good: %v", g)
			}

			// users explain gives the same reason.
			if out, _ := c.run("users", "explain", "evil", "--connection", "corp"); !strings.Contains(out, `Custom2: value contains the separator "$$$"`) {
				t.Errorf("users explain evil does not give the reason:\n%s", out)
			}

			// A user synced before whose title turns hostile fails and
			// keeps what it had.
			m := ldapv3.NewModifyRequest("uid=later,"+slapd.PeopleDN, nil)
			m.Replace("title", []string{"Boss$$$Custom3=x"})
			if err := adminConn(t, s).Modify(m); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				m := ldapv3.NewModifyRequest("uid=later,"+slapd.PeopleDN, nil)
				m.Replace("title", []string{"Manager"})
				_ = adminConn(t, s).Modify(m)
			})
			rep, _ = c.sync("corp")
			if rep.Failed == 0 || !strings.Contains(c.outcomes(rep.ID, "failed"), `"later"`) {
				t.Fatalf("second run did not fail later: %+v", rep.Counts)
			}
			later := usersByID(t, c)["later"].Fields
			if later["Custom2"] != "Manager" || later["Custom3"] != "" || later["Custom9"] != "" {
				t.Errorf("later's custom fields = %v, want Custom2 kept as Manager", later)
			}
		})
		// The next form starts from an empty store.
		c = newCLI(t)
	}
}

// writeDoc writes a connection document to a file for `connection apply -f`.
func writeDoc(t *testing.T, doc map[string]any) string {
	t.Helper()
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "conn.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

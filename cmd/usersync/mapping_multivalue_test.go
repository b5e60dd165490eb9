package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/samba"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// TestMultiValuedSource: a source attribute with several values mapped to
// one field. multiValue says what happens: join with a separator keeps every
// value, error fails the user naming the field, first keeps the first; left
// unset it keeps the first and warns, naming the field. A value that holds
// the join separator fails the user. A bad setting is refused naming the
// field.
func TestMultiValuedSource(t *testing.T) {
	s := slapd.StartLDIF(t, valuesLDIF())
	tests := []struct {
		name    string
		mapping map[string]any
		counts  store.Counts
		multi   string // groups of multi after the run; "-" when multi fails
		semi    string
		outcome string // text the run's outcomes must hold
	}{
		{name: "join", mapping: map[string]any{"multiValue": "join", "separator": ";"},
			counts: store.Counts{Created: 2, Failed: 1}, multi: "Engineering;Berlin;Sales", semi: "-",
			outcome: `groups: ou value \"R;D\" contains the separator \";\"`},
		{name: "join default separator", mapping: map[string]any{"multiValue": "join"},
			counts: store.Counts{Created: 3}, multi: "Engineering; Berlin; Sales", semi: "R;D; Berlin"},
		{name: "error", mapping: map[string]any{"multiValue": "error"},
			counts: store.Counts{Created: 1, Failed: 2}, multi: "-", semi: "-",
			outcome: `groups: ou has 3 values`},
		{name: "first", mapping: map[string]any{"multiValue": "first"},
			counts: store.Counts{Created: 3}, multi: "Engineering", semi: "R;D"},
		{name: "unset keeps the first and warns", mapping: map[string]any{},
			counts: store.Counts{Created: 3}, multi: "Engineering", semi: "R;D",
			outcome: `groups: ou has 3 values; kept the first`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCLI(t)
			mp := map[string]any{"source": "ou", "target": "groups"}
			for k, v := range tt.mapping {
				mp[k] = v
			}
			c.apply(valuesDoc(s, []any{mp}, "good", "multi", "semi"))
			rep, _ := c.sync("corp")
			wantCounts(t, rep, tt.counts)
			users := usersByID(t, c)
			if g := users["good"].Fields["groups"]; g != "Engineering" {
				t.Errorf("good's groups = %q", g)
			}
			for uid, want := range map[string]string{"multi": tt.multi, "semi": tt.semi} {
				u, ok := users[uid]
				switch {
				case want == "-" && ok:
					t.Errorf("%s was created: %v", uid, u.Fields)
				case want != "-" && u.Fields["groups"] != want:
					t.Errorf("%s's groups = %q, want %q", uid, u.Fields["groups"], want)
				}
			}
			if tt.outcome != "" {
				out, _ := c.run("runs", "show", fmt.Sprint(rep.ID), "--json")
				if !strings.Contains(out, tt.outcome) {
					t.Errorf("run lacks %q:\n%s", tt.outcome, out)
				}
			}
		})
	}

	t.Run("invalid settings are refused naming the field", func(t *testing.T) {
		c := newCLI(t)
		for _, tt := range []struct {
			mapping map[string]any
			want    string
		}{
			{map[string]any{"multiValue": "all"}, `mappings[2].multiValue: must be first, join or error, got "all"`},
			{map[string]any{"multiValue": "first", "separator": ","}, `mappings[2].separator: only applies with multiValue "join"`},
			{map[string]any{"separator": ","}, `mappings[2].separator: only applies with multiValue "join"`},
		} {
			mp := map[string]any{"source": "ou", "target": "groups"}
			for k, v := range tt.mapping {
				mp[k] = v
			}
			doc := valuesDoc(s, []any{mp}, "multi")
			path := writeDoc(t, doc)
			out, code := c.run("connection", "apply", "-f", path)
			if code == 0 || !strings.Contains(out, tt.want) {
				t.Errorf("apply %v: code %d, want an error with %q:\n%s", tt.mapping, code, tt.want, out)
			}
		}
	})
}

// TestMultiValuedMemberOfAD maps Active Directory's memberOf, which holds
// one value per group, to the single field groups: with multiValue "join"
// every group is kept; unset, the first is kept and the user warned.
func TestMultiValuedMemberOfAD(t *testing.T) {
	dc := samba.Start(t)
	specs := []samba.UserSpec{{SAMAccountName: "user.two"}, {SAMAccountName: "user.one"}}
	dns := dc.AddUsers(t, len(specs), func(i int) samba.UserSpec { return specs[i] })
	g1 := dc.AddGroup(t, "MV Sales", dns)
	g2 := dc.AddGroup(t, "MV Admins", dns[:1])
	for _, tt := range []struct {
		name    string
		mapping map[string]any
		two     []string // groups of user.two: any order of these, joined
		warn    string
	}{
		{name: "join", mapping: map[string]any{"multiValue": "join", "separator": "|"}, two: []string{g1, g2}},
		{name: "unset", mapping: map[string]any{}, warn: "groups: memberOf has 2 values; kept the first"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newCLI(t)
			doc := sambaConnDoc(dc)
			mp := map[string]any{"source": "memberOf", "target": "groups"}
			for k, v := range tt.mapping {
				mp[k] = v
			}
			doc["mappings"] = []any{
				map[string]any{"source": "userPrincipalName", "target": "userId"},
				map[string]any{"source": "sAMAccountName", "target": "displayName"},
				mp,
			}
			c.apply(doc)
			rep := c.mustSync("corp")
			wantCounts(t, rep, store.Counts{Created: 2})
			users := usersByID(t, c)
			two, one := users["user.two@example.test"].Fields["groups"], users["user.one@example.test"].Fields["groups"]
			if one != g1 {
				t.Errorf("user.one's groups = %q, want %q", one, g1)
			}
			if tt.two != nil {
				if two != tt.two[0]+"|"+tt.two[1] && two != tt.two[1]+"|"+tt.two[0] {
					t.Errorf("user.two's groups = %q, want both of %q", two, tt.two)
				}
			} else if two != g1 && two != g2 {
				t.Errorf("user.two's groups = %q, want one group", two)
			}
			if tt.warn != "" {
				out, _ := c.run("runs", "show", fmt.Sprint(rep.ID), "--json")
				if !strings.Contains(out, tt.warn) {
					t.Errorf("run lacks the warning %q:\n%s", tt.warn, out)
				}
			}
		})
	}
}

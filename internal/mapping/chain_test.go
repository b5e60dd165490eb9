package mapping

import (
	"testing"

	"github.com/usersync/usersync/internal/directory"
)

// TestAttributeChainMatchesEval checks that the direct lookup of a
// Coalesce of attributes gives exactly what evaluating the expression
// gives: absent, empty, single and multi-valued attributes, attribute names
// in another case, and the DN standing in for distinguishedName.
func TestAttributeChainMatchesEval(t *testing.T) {
	exprs := []string{
		"Coalesce([displayName], [uid], [cn], [distinguishedName], [mail])",
		"Coalesce([departmentNumber], [ou])",
		"Coalesce([DISPLAYNAME])",
		"[displayName]",
		"Coalesce([mail], [dn])",
	}
	entries := []*directory.Entry{
		{DN: "uid=a,dc=x", Attrs: map[string][]string{}},
		{DN: "", Attrs: map[string][]string{}},
		{DN: "uid=a,dc=x", Attrs: map[string][]string{"displayname": {"A B"}, "uid": {"a"}}},
		{DN: "uid=a,dc=x", Attrs: map[string][]string{"displayname": {""}, "uid": {"a"}}},
		{DN: "uid=a,dc=x", Attrs: map[string][]string{"displayname": {}, "cn": {"c1", "c2"}}},
		{DN: "uid=a,dc=x", Attrs: map[string][]string{"departmentnumber": {"1", "2", "3"}, "ou": {"x"}}},
		{DN: "uid=a,dc=x", Attrs: map[string][]string{"ou": {"Sales"}, "mail": {"m@x"}}},
		{DN: "uid=a,dc=x", Attrs: map[string][]string{"displayName": {"exact case"}}},
	}
	for _, src := range exprs {
		for _, mv := range []MultiValue{"", MultiValueFirst, MultiValueJoin, MultiValueError} {
			m := compile(t, Set{Mappings: []Mapping{{Source: "uid", Target: FieldUserID}, {Expression: src, Target: FieldName, MultiValue: mv}}})
			ru := &m.rules[1]
			if ru.chain == nil {
				t.Fatalf("%s: no attribute chain", src)
			}
			for _, e := range entries {
				fast, _, ferr := ru.value(entryAttrs{e}, nil)
				slow := *ru
				slow.chain = nil
				want, _, werr := slow.value(entryAttrs{e}, nil)
				if fast != want || (ferr == nil) != (werr == nil) {
					t.Errorf("%s (multiValue %q) on %v: direct lookup %q, %v; evaluation %q, %v", src, mv, e.Attrs, fast, ferr, want, werr)
				}
			}
		}
	}
	for _, src := range []string{`Coalesce([mail], "none")`, `Join(",", [a], [b])`, `Coalesce(Trim([a]), [b])`} {
		m := compile(t, Set{Mappings: []Mapping{{Source: "uid", Target: FieldUserID}, {Expression: src, Target: FieldName}}})
		if m.rules[1].chain != nil {
			t.Errorf("%s: taken for an attribute chain %v", src, m.rules[1].chain)
		}
	}
}

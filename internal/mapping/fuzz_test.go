package mapping

import (
	"testing"

	"github.com/usersync/usersync/internal/mapping/scope"
)

// FuzzMapper compiles an operator's expression and scope value and runs a
// whole entry through Map, Create and Update: nothing may panic, and a
// compiled set must never produce a field without a name.
func FuzzMapper(f *testing.F) {
	f.Add(customFieldsExpression, "Sales", "Rome", "R&D Manager", "a@b.org")
	f.Add(`Switch([IsSoftDeleted], "False", "True", "True", "False")`, "x", "", "", "")
	f.Add(`Join("$$$", Append("Custom1=", [city]), Append("Custom11=", [title]))`, "", "a$$$b", "", "not-mail")
	f.Add(`Replace([mail], "@", , , "", , )`, "^(", "", "x", "@")
	f.Fuzz(func(t *testing.T, expression, scopeValue, city, title, mail string) {
		for _, target := range []string{TargetCustomFields, "x", "Custom1", "timeZone"} {
			s := Set{
				Mappings: required(
					Mapping{Expression: expression, Target: target},
					Mapping{Source: "mail", Target: FieldEmail, ClearWhenEmpty: true},
					Mapping{Source: "title", Target: "title", Strength: StrengthKeepExisting},
				),
				Scope: &Scope{Clauses: []scope.Clause{{Attribute: "department", Operator: scope.RegexMatch, Value: scopeValue}}},
			}
			m, err := Compile(s)
			if err != nil {
				continue
			}
			e := entry("uid=f,ou=p", "uid", "f", "cn", "F", "city", city, "title", title, "mail", mail, "department", scopeValue)
			e.Attrs["memberof"] = []string{city, title}
			var r Result
			m.Map(e, &r)
			for _, fl := range r.Fields {
				if fl.Name == "" {
					t.Fatalf("a field without a name: %+v", r.Fields)
				}
			}
			_, fields := m.Create(&r)
			m.Update(&r, "f", fields)
		}
	})
}

package mapping

import (
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/mapping/scope"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		set  Set
		want []string // each must appear in its own problem
	}{
		{"missing user ID", Set{Mappings: []Mapping{{Source: "cn", Target: FieldName}}},
			[]string{"mappings: no mapping fills the mandatory field userId"}},
		{"missing name", Set{Mappings: []Mapping{{Source: "uid", Target: FieldUserID}}},
			[]string{"mappings: no mapping fills the mandatory field displayName"}},
		{"missing both", Set{Mappings: []Mapping{}},
			[]string{"field userId", "field displayName"}},
		{"expression syntax error", Set{Mappings: required(Mapping{Expression: `Join("$$$", [a]`, Target: "x"})},
			[]string{"mappings[2].expression: expr: at column 16:"}},
		{"everything at once", Set{Mappings: required(
			Mapping{Target: "a"},
			Mapping{Source: "x", Expression: "[x]", Target: "b"},
			Mapping{Source: "x", Target: FieldName},
			Mapping{Source: "x", Target: "c", Strength: "sometimes"},
			Mapping{Source: "x", Target: "d", Strength: StrengthKeepExisting, ClearWhenEmpty: true},
			Mapping{Source: "x", Target: "Custom11"},
			Mapping{Source: "x", Target: "e", Type: "colour"},
		), Scope: &Scope{Clauses: []scope.Clause{{Attribute: "department", Operator: "SOUNDS LIKE", Value: "x"}}},
			Template: &Template{TimeZone: "Nowhere/Land", SystemOfMeasure: "cubits"}},
			[]string{"mappings[2].source:", "mappings[3].expression: give either", "mappings[4].target: displayName is already filled by mappings[1]",
				"mappings[5].strength:", "mappings[6].clearWhenEmpty:", "mappings[7].target: custom fields", "mappings[8].type:",
				"scope.clauses[0].operator:", "template.timeZone:", "template.systemOfMeasure:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			probs := tt.set.Validate(false)
			if len(probs) != len(tt.want) {
				t.Errorf("%d problems, want %d: %v", len(probs), len(tt.want), probs)
			}
			for i, w := range tt.want {
				if i < len(probs) && !strings.Contains(probs[i].Error(), w) {
					t.Errorf("problem %d = %q, want it to contain %q", i, probs[i].Error(), w)
				}
			}
			if _, err := Compile(tt.set); err == nil {
				t.Error("Compile accepted an invalid set")
			}
		})
	}
	if probs := (Set{}).Validate(true); len(probs) != 0 {
		t.Errorf("baseline: %v", probs)
	}
}

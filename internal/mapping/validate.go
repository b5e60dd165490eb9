package mapping

import (
	"fmt"
	"strings"

	"github.com/usersync/usersync/internal/mapping/expr"
)

// Problem is one invalid field of a mapping configuration, named by its
// JSON path in the connection document, such as "mappings[3].expression".
type Problem struct {
	Field   string
	Message string
}

func (p Problem) Error() string { return p.Field + ": " + p.Message }

// Problems lists every problem of a configuration.
type Problems []Problem

func (ps Problems) Error() string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.Error()
	}
	return "mapping: " + strings.Join(parts, "; ")
}

// Validate reports every problem of the set at once. When the set has no
// mappings only the scope and the template are checked: the baseline for
// the directory flavor applies. Mappings that are present must fill the
// mandatory userId and displayName, each with its own problem.
func (s Set) Validate(baseline bool) Problems {
	var probs Problems
	add := func(field, format string, args ...any) {
		probs = append(probs, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if !baseline {
		validateMappings(s.Mappings, add)
	}
	if s.Scope != nil {
		if s.ByObject {
			s.Scope.validateObjects(add)
		} else {
			s.Scope.validate(add)
		}
	}
	if s.Template != nil {
		s.Template.validate(add)
	}
	return probs
}

func validateMappings(ms []Mapping, add func(field, format string, args ...any)) {
	filled := map[string]int{}
	for i, m := range ms {
		at := func(f string) string { return fmt.Sprintf("mappings[%d].%s", i, f) }
		switch {
		case m.Source == "" && m.Expression == "":
			add(at("source"), "a source attribute or an expression is required")
		case m.Source != "" && m.Expression != "":
			add(at("expression"), "give either source or expression, not both")
		case m.Expression != "":
			if _, err := expr.Parse(m.Expression); err != nil {
				add(at("expression"), "%v", err)
			}
		case !isAttributeName(m.Source):
			add(at("source"), "must be a directory attribute name, got %q (use expression for anything else)", m.Source)
		}
		if m.Target == "" {
			add(at("target"), "is required")
		} else if !isFieldName(m.Target) {
			add(at("target"), "must be a field name of letters, digits, '.', '_' or '-', got %q", m.Target)
		} else if prev, dup := filled[strings.ToLower(m.Target)]; dup {
			add(at("target"), "%s is already filled by mappings[%d]; a field takes one mapping (one source may feed several fields)", m.Target, prev)
		} else {
			filled[strings.ToLower(m.Target)] = i
		}
		if strings.HasPrefix(strings.ToLower(m.Target), "custom") && m.Target != TargetCustomFields {
			if _, ok := expr.CanonicalCustomField(m.Target); !ok {
				add(at("target"), "custom fields are Custom1 to Custom10, got %q", m.Target)
			}
			if m.Default != "" {
				if err := expr.ValidateCustomField(m.Target, m.Default); err != nil {
					add(at("default"), "%v", err)
				}
			}
		}
		switch m.Strength {
		case "", StrengthAlways, StrengthKeepExisting:
		default:
			add(at("strength"), "must be %q or %q, got %q", StrengthAlways, StrengthKeepExisting, m.Strength)
		}
		if m.Strength == StrengthKeepExisting && m.ClearWhenEmpty {
			add(at("clearWhenEmpty"), "cannot be combined with strength keepExisting, which never overwrites a value")
		}
		validateMultiValue(m, at, add)
		if !knownType(m.Type) {
			add(at("type"), "must be one of text, email, phone, language or timeZone, got %q", m.Type)
		}
		if m.Target == FieldUserID {
			if m.ClearWhenEmpty {
				add(at("clearWhenEmpty"), "userId cannot be cleared")
			}
			if m.Strength == StrengthKeepExisting {
				add(at("strength"), "userId is always imported")
			}
		}
	}
	for _, f := range []struct{ name, what string }{
		{FieldUserID, "the user ID (User Identification)"},
		{FieldName, "the user's name (Name)"},
	} {
		if _, ok := filled[strings.ToLower(f.name)]; !ok {
			add("mappings", "no mapping fills the mandatory field %s, %s", f.name, f.what)
		}
	}
}

func isAttributeName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == ';' || c == '_') {
			return false
		}
	}
	return true
}

func isFieldName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return s != ""
}

package connection

import (
	"fmt"
	"regexp"
	"strings"
)

// EntraFilter is a parsed user filter of an Entra connection. Graph's delta
// query accepts no $filter but one on id, so usersync applies the filter to
// the users it reads; it takes the OData forms Entra administrators write
// most: comparisons with eq and ne, startswith and endswith, joined by and
// and or (and binding tighter), and not before any of them.
type EntraFilter struct {
	any [][]entraTerm // or of ands
}

type entraTerm struct {
	not   bool
	op    string // eq, ne, startswith, endswith
	name  string
	value string
}

var (
	filterCmpRE   = regexp.MustCompile(`^(not\s+)?([A-Za-z][A-Za-z0-9_]*(?:/[A-Za-z][A-Za-z0-9_]*)?)\s+(eq|ne)\s+('(?:[^']|'')*'|true|false|null)$`)
	filterFuncRE  = regexp.MustCompile(`^(not\s+)?(startswith|endswith)\(\s*([A-Za-z][A-Za-z0-9_]*(?:/[A-Za-z][A-Za-z0-9_]*)?)\s*,\s*('(?:[^']|'')*')\s*\)$`)
	filterSplitRE = regexp.MustCompile(`'(?:[^']|'')*'|\s+(?:and|or)\s+|[^'\s]+|\s+`)
)

// ParseEntraFilter parses a filter, naming what it cannot read.
func ParseEntraFilter(s string) (*EntraFilter, error) {
	if strings.ContainsAny(s, "\x00\r\n") {
		return nil, fmt.Errorf("must be one line without control characters")
	}
	// Split on " and " / " or " outside quoted strings.
	var parts []string
	var seps []string
	cur := ""
	for _, tok := range filterSplitRE.FindAllString(s, -1) {
		if t := strings.TrimSpace(tok); (t == "and" || t == "or") && tok != t {
			parts, seps, cur = append(parts, cur), append(seps, t), ""
			continue
		}
		cur += tok
	}
	parts = append(parts, cur)
	f := &EntraFilter{}
	var group []entraTerm
	for i, p := range parts {
		t, err := parseEntraTerm(strings.TrimSpace(p))
		if err != nil {
			return nil, err
		}
		group = append(group, t)
		if i == len(seps) || seps[i] == "or" {
			f.any, group = append(f.any, group), nil
		}
	}
	return f, nil
}

func parseEntraTerm(p string) (entraTerm, error) {
	if m := filterCmpRE.FindStringSubmatch(p); m != nil {
		return entraTerm{not: m[1] != "", name: m[2], op: m[3], value: unquoteOData(m[4])}, nil
	}
	if m := filterFuncRE.FindStringSubmatch(p); m != nil {
		return entraTerm{not: m[1] != "", op: m[2], name: m[3], value: unquoteOData(m[4])}, nil
	}
	if p == "" {
		return entraTerm{}, fmt.Errorf("has an empty condition next to and/or")
	}
	return entraTerm{}, fmt.Errorf("cannot read %q: write PROPERTY eq 'value', PROPERTY ne 'value', startswith(PROPERTY,'value') or endswith(PROPERTY,'value'), joined by and/or (no parentheses)", p)
}

func unquoteOData(v string) string {
	if strings.HasPrefix(v, "'") {
		return strings.ReplaceAll(v[1:len(v)-1], "''", "'")
	}
	if v == "null" {
		return ""
	}
	return v
}

// Match reports whether a user matches; get returns a property's values
// (a nested property is written parent/child, as in OData).
func (f *EntraFilter) Match(get func(name string) []string) bool {
	for _, all := range f.any {
		ok := true
		for _, t := range all {
			if t.match(get(strings.ReplaceAll(t.name, "/", "."))) == t.not {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func (t entraTerm) match(vals []string) bool {
	if len(vals) == 0 {
		vals = []string{""}
	}
	for _, v := range vals {
		var hit bool
		switch t.op {
		case "eq":
			hit = strings.EqualFold(v, t.value)
		case "ne":
			hit = !strings.EqualFold(v, t.value)
		case "startswith":
			hit = strings.HasPrefix(strings.ToLower(v), strings.ToLower(t.value))
		case "endswith":
			hit = strings.HasSuffix(strings.ToLower(v), strings.ToLower(t.value))
		}
		if hit {
			return true
		}
	}
	return false
}

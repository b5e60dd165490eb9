package scimserver

import (
	"fmt"
	"sort"
	"strings"

	scim "github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
	filter "github.com/scim2/filter-parser/v2"
)

// applyOp applies one PATCH operation as RFC 7644 section 3.5.2 describes
// it, for the paths a provisioning client sends: none (the value is a set of
// attributes), an attribute, a sub-attribute, an extension attribute, and a
// multi-valued attribute with a value filter (members[value eq "id"]).
func applyOp(res scim.ResourceAttributes, op scim.PatchOperation) error {
	kind := strings.ToLower(op.Op)
	if op.Path == nil {
		m, ok := op.Value.(map[string]any)
		if !ok {
			return scimerrors.ScimErrorInvalidValue
		}
		for k, v := range m {
			res[k] = v
		}
		return nil
	}
	p := *op.Path
	name := p.AttributePath.AttributeName
	container := map[string]any(res)
	if p.AttributePath.URIPrefix != nil {
		urn := *p.AttributePath.URIPrefix
		ext, _ := res[urn].(map[string]any)
		if ext == nil {
			ext = map[string]any{}
			res[urn] = ext
		}
		container = ext
	}
	sub := p.AttributePath.SubAttribute
	if p.SubAttribute != nil {
		sub = p.SubAttribute
	}
	if p.ValueExpression != nil {
		return applyFiltered(container, name, kind, p.ValueExpression, sub, op.Value)
	}
	if sub != nil {
		inner, _ := container[name].(map[string]any)
		if inner == nil {
			inner = map[string]any{}
		}
		if kind == "remove" {
			delete(inner, *sub)
		} else {
			inner[*sub] = op.Value
		}
		container[name] = inner
		return nil
	}
	switch kind {
	case "remove":
		delete(container, name)
	case "add":
		if list, ok := op.Value.([]any); ok {
			old, _ := container[name].([]any)
			container[name] = append(old, list...)
			return nil
		}
		container[name] = op.Value
	default:
		container[name] = op.Value
	}
	return nil
}

// applyFiltered handles attr[sub eq "v"] paths: remove drops the matching
// values, replace and add set the sub-attribute (or the value) of them.
func applyFiltered(container map[string]any, name, kind string, expr filter.Expression, sub *string, value any) error {
	ae, ok := expr.(*filter.AttributeExpression)
	if !ok || ae.Operator != filter.EQ {
		return fmt.Errorf("scimserver: only attr[sub eq \"v\"] filters are served: %w", scimerrors.ScimErrorInvalidFilter)
	}
	key := ae.AttributePath.AttributeName
	want := fmt.Sprint(ae.CompareValue)
	list, _ := container[name].([]any)
	var out []any
	for _, item := range list {
		m, _ := item.(map[string]any)
		match := m != nil && fmt.Sprint(m[key]) == want
		switch {
		case match && kind == "remove" && sub == nil:
			continue
		case match && sub != nil:
			if kind == "remove" {
				delete(m, *sub)
			} else {
				m[*sub] = value
			}
		case match:
			if v, ok := value.(map[string]any); ok {
				for k, x := range v {
					m[k] = x
				}
			}
		}
		out = append(out, item)
	}
	container[name] = out
	return nil
}

func clone(a map[string]any) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		switch x := v.(type) {
		case map[string]any:
			out[k] = clone(x)
		case []any:
			l := make([]any, len(x))
			for i, e := range x {
				if m, ok := e.(map[string]any); ok {
					l[i] = clone(m)
				} else {
					l[i] = e
				}
			}
			out[k] = l
		default:
			out[k] = v
		}
	}
	return out
}

func sortedIDs(m map[string]scim.ResourceAttributes) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if len(ids[i]) != len(ids[j]) {
			return len(ids[i]) < len(ids[j])
		}
		return ids[i] < ids[j]
	})
	return ids
}

func equalFold(a, b string) bool { return strings.EqualFold(a, b) }

package scim

import (
	"encoding/json"
	"fmt"
	"strings"

	filter "github.com/scim2/filter-parser/v2"
)

// maxOperations bounds one PATCH request's operations.
const maxOperations = 1000

// PatchOp is one operation of a PATCH request (RFC 7644, section 3.5.2).
type PatchOp struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	Value json.RawMessage `json:"value"`
}

// parsePatch reads a PatchOp message. The op's case is not significant:
// Microsoft's provisioning service sends "Add", "Replace" and "Remove".
func parsePatch(body []byte) ([]PatchOp, error) {
	m, err := decodeObject(body)
	if err != nil {
		return nil, err
	}
	var ops []PatchOp
	for k, v := range m {
		if !strings.EqualFold(k, "Operations") {
			continue
		}
		raw, _ := json.Marshal(v)
		var list []map[string]json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, BadRequest(TypeInvalidSyntax, "Operations must be a list of objects")
		}
		for i, o := range list {
			var op PatchOp
			for name, x := range o {
				switch strings.ToLower(name) {
				case "op":
					if err := json.Unmarshal(x, &op.Op); err != nil {
						return nil, BadRequest(TypeInvalidSyntax, "Operations[%d].op must be a string", i)
					}
				case "path":
					if err := json.Unmarshal(x, &op.Path); err != nil {
						return nil, BadRequest(TypeInvalidPath, "Operations[%d].path must be a string", i)
					}
				case "value":
					op.Value = x
				}
			}
			switch strings.ToLower(op.Op) {
			case "add", "replace", "remove":
				op.Op = strings.ToLower(op.Op)
			default:
				return nil, BadRequest(TypeInvalidSyntax, "Operations[%d].op must be add, replace or remove, got %q", i, op.Op)
			}
			ops = append(ops, op)
		}
	}
	if len(ops) == 0 {
		return nil, BadRequest(TypeInvalidSyntax, "a PATCH request needs at least one operation in Operations")
	}
	if len(ops) > maxOperations {
		return nil, BadRequest(TypeTooMany, "a PATCH request may hold at most %d operations", maxOperations)
	}
	return ops, nil
}

// target is where a PATCH path points: the map holding the attribute
// (the resource or the enterprise extension), the attribute's definition,
// an optional value filter and an optional sub-attribute.
type target struct {
	container map[string]any
	attr      *Attr
	filter    filter.Expression
	sub       *Attr
	// ext says the container is the enterprise extension, created on
	// demand.
	ext bool
}

// ApplyPatch applies PATCH operations to a copy of a canonical resource
// and returns the result, normalized again, so that a PATCH is checked
// exactly as a PUT of its result would be. Nothing is changed when an
// operation fails.
func ApplyPatch(kind string, r Resource, ops []PatchOp) (Resource, error) {
	work := deepCopy(r).(map[string]any)
	for i, op := range ops {
		if err := applyOp(kind, work, op); err != nil {
			if e, ok := err.(*Error); ok {
				e.Detail = fmt.Sprintf("Operations[%d]: %s", i, e.Detail)
			}
			return nil, err
		}
	}
	return Normalize(kind, work)
}

func applyOp(kind string, r map[string]any, op PatchOp) error {
	var value any
	if len(op.Value) > 0 {
		dec := json.NewDecoder(strings.NewReader(string(op.Value)))
		dec.UseNumber()
		if err := dec.Decode(&value); err != nil {
			return BadRequest(TypeInvalidValue, "value is not JSON: %v", err)
		}
	}
	if strings.TrimSpace(op.Path) == "" {
		if op.Op == "remove" {
			return BadRequest(TypeNoTarget, "remove needs a path")
		}
		obj, ok := value.(map[string]any)
		if !ok {
			return BadRequest(TypeInvalidValue, "%s without a path needs an object of attributes as its value", op.Op)
		}
		// Each key is a path of its own: a plain attribute, a dotted
		// sub-attribute ("name.givenName", Entra's aadOptscim062020 form)
		// or a URN-prefixed one.
		for k, v := range obj {
			if urn, rest, ok := splitURN(kind, k); ok && rest == "" && urn == EnterpriseURN {
				sub, ok := v.(map[string]any)
				if !ok {
					return BadRequest(TypeInvalidValue, "%q must be an object", k)
				}
				for sk, sv := range sub {
					if err := applyPath(kind, r, op.Op, EnterpriseURN+":"+sk, sv); err != nil {
						return err
					}
				}
				continue
			}
			if strings.EqualFold(k, "schemas") || strings.EqualFold(k, "id") || strings.EqualFold(k, "meta") {
				continue
			}
			if err := applyPath(kind, r, op.Op, k, v); err != nil {
				return err
			}
		}
		return nil
	}
	return applyPath(kind, r, op.Op, op.Path, value)
}

// resolve parses a path and finds its target.
func resolve(kind string, r map[string]any, path string) (target, error) {
	var t target
	p, err := parsePath(path)
	if err != nil {
		return t, BadRequest(TypeInvalidPath, "path %q is not a SCIM attribute path: %v", path, err)
	}
	ap := p.AttributePath
	name := ap.AttributeName
	sub := ap.SubAttributeName()
	if p.SubAttribute != nil {
		sub = *p.SubAttribute
	}
	uri := ap.URI()
	switch {
	case uri != "" && isEnterpriseURN(uri):
		if kind != KindUser {
			return t, BadRequest(TypeInvalidPath, "path %q: the enterprise extension applies to Users only", path)
		}
		t.attr, t.ext = findAttr(EnterpriseSchema.Attrs, name), true
	case uri != "" && !strings.EqualFold(uri, schemaOf(kind).ID):
		return t, BadRequest(TypeInvalidPath, "path %q names a schema this %s does not have", path, kind)
	default:
		t.attr = coreAttr(kind, name)
		if t.attr == nil && kind == KindUser {
			t.attr, t.ext = findAttr(EnterpriseSchema.Attrs, name), true
		}
	}
	if t.attr == nil {
		return t, BadRequest(TypeInvalidPath, "path %q: no attribute %q in the %s schema", path, name, kind)
	}
	if t.attr.Mutability == "readOnly" {
		return t, Errorf(400, TypeMutability, "path %q: %s is read-only", path, t.attr.Name)
	}
	if sub != "" {
		if t.sub = findAttr(t.attr.Sub, sub); t.sub == nil {
			return t, BadRequest(TypeInvalidPath, "path %q: %s has no sub-attribute %q", path, t.attr.Name, sub)
		}
	}
	if p.ValueExpression != nil {
		if !t.attr.Multi {
			return t, BadRequest(TypeInvalidPath, "path %q: a filter applies to multi-valued attributes only", path)
		}
		t.filter = p.ValueExpression
	}
	t.container = r
	if t.ext {
		ext, _ := r[EnterpriseURN].(map[string]any)
		if ext == nil {
			ext = map[string]any{}
			r[EnterpriseURN] = ext
		}
		t.container = ext
	}
	return t, nil
}

// parsePath parses a PATCH path with the scim2 parser. A dotted path
// under a URN ("urn:...:User:manager.value") is split by hand, since the
// parser reads the dot as part of the URN.
func parsePath(s string) (p filter.Path, err error) {
	if p, ok := plainPath(s); ok {
		return p, nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("unreadable path")
		}
	}()
	return filter.ParsePath([]byte(s))
}

func applyPath(kind string, r map[string]any, op, path string, value any) error {
	t, err := resolve(kind, r, path)
	if err != nil {
		return err
	}
	a := t.attr
	cur, has := t.container[a.Name]
	switch {
	case t.filter != nil:
		return applyFiltered(t, op, value, path)
	case t.sub != nil:
		if a.Multi {
			// "emails.value" without a filter: every element.
			list, _ := cur.([]any)
			for _, e := range list {
				if obj, ok := e.(map[string]any); ok {
					setOrRemove(obj, t.sub.Name, op, value)
				}
			}
			return nil
		}
		obj, _ := cur.(map[string]any)
		if obj == nil {
			if op == "remove" {
				return nil
			}
			obj = map[string]any{}
			t.container[a.Name] = obj
		}
		setOrRemove(obj, t.sub.Name, op, value)
		return nil
	case op == "remove":
		if a.Multi && value != nil && has {
			// Entra's default form removes members by listing them as
			// the value: only those go.
			list, _ := cur.([]any)
			t.container[a.Name] = removeListed(list, value)
			return nil
		}
		delete(t.container, a.Name)
		return nil
	case a.Multi && op == "add":
		add, ok := value.([]any)
		if !ok {
			add = []any{value}
		}
		list, _ := cur.([]any)
		t.container[a.Name] = appendNew(list, add)
		return nil
	default:
		if value == nil {
			delete(t.container, a.Name)
			return nil
		}
		if a.Type == typeComplex && !a.Multi && op == "add" && has {
			// add merges into a complex attribute (RFC 7644 3.5.2.1).
			if obj, ok := cur.(map[string]any); ok {
				if in, ok := value.(map[string]any); ok {
					for k, v := range in {
						obj[k] = v
					}
					return nil
				}
			}
		}
		t.container[a.Name] = value
		return nil
	}
}

// applyFiltered applies an operation to the elements a value filter
// selects: members[value eq "x"] or emails[type eq "work"].value.
func applyFiltered(t target, op string, value any, path string) error {
	a := t.attr
	list, _ := t.container[a.Name].([]any)
	var kept []any
	hit := false
	for _, e := range list {
		obj, ok := e.(map[string]any)
		if !ok || !matchElement(*a, obj, t.filter) {
			kept = append(kept, e)
			continue
		}
		hit = true
		switch {
		case op == "remove" && t.sub == nil:
			continue // the element goes
		case t.sub != nil:
			setOrRemove(obj, t.sub.Name, op, value)
		default:
			if in, ok := value.(map[string]any); ok {
				for k, v := range in {
					obj[k] = v
				}
			}
		}
		kept = append(kept, obj)
	}
	if !hit {
		if op == "remove" {
			return nil
		}
		// Entra replaces emails[type eq "work"].value on a user that has
		// no work email yet: the element is created from the filter's
		// equalities.
		seed, ok := seedFromFilter(t.filter)
		if !ok {
			return BadRequest(TypeNoTarget, "path %q matches no value", path)
		}
		if t.sub != nil {
			seed[t.sub.Name] = value
		} else if in, ok := value.(map[string]any); ok {
			for k, v := range in {
				seed[k] = v
			}
		}
		kept = append(kept, seed)
	}
	if len(kept) == 0 {
		delete(t.container, a.Name)
	} else {
		t.container[a.Name] = kept
	}
	return nil
}

// seedFromFilter turns a filter of ANDed equalities into the element they
// describe.
func seedFromFilter(e filter.Expression) (map[string]any, bool) {
	out := map[string]any{}
	var walk func(filter.Expression) bool
	walk = func(e filter.Expression) bool {
		switch x := e.(type) {
		case *filter.LogicalExpression:
			return x.Operator == filter.AND && walk(x.Left) && walk(x.Right)
		case *filter.AttributeExpression:
			if x.Operator != filter.EQ {
				return false
			}
			out[x.AttributePath.AttributeName] = x.CompareValue
			return true
		}
		return false
	}
	return out, walk(e)
}

func setOrRemove(obj map[string]any, name, op string, value any) {
	if op == "remove" || value == nil {
		delete(obj, name)
		return
	}
	obj[name] = value
}

// valueOf is an element's identity for add and remove: its value
// sub-attribute, or the element itself.
func valueOf(e any) string {
	if obj, ok := e.(map[string]any); ok {
		if v, ok := obj["value"]; ok {
			return fmt.Sprint(v)
		}
		for k, v := range obj {
			if strings.EqualFold(k, "value") {
				return fmt.Sprint(v)
			}
		}
	}
	b, _ := json.Marshal(e)
	return string(b)
}

// appendNew adds the values not already present (RFC 7644: add to a
// multi-valued attribute does not duplicate an existing value).
func appendNew(list, add []any) []any {
	seen := map[string]bool{}
	for _, e := range list {
		seen[valueOf(e)] = true
	}
	for _, e := range add {
		if e == nil {
			continue
		}
		if v := valueOf(e); !seen[v] {
			seen[v] = true
			list = append(list, e)
		}
	}
	return list
}

// removeListed removes the listed values from a multi-valued attribute.
func removeListed(list []any, value any) []any {
	rm, ok := value.([]any)
	if !ok {
		rm = []any{value}
	}
	gone := map[string]bool{}
	for _, e := range rm {
		gone[valueOf(e)] = true
	}
	var out []any
	for _, e := range list {
		if !gone[valueOf(e)] {
			out = append(out, e)
		}
	}
	return out
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = deepCopy(e)
		}
		return l
	}
	return v
}

// plainPath reads the common paths without the parser: an attribute name,
// optionally with one sub-attribute ("title", "name.givenName",
// "members"), as RFC 7644's ABNF writes them (ATTRNAME is ALPHA followed
// by letters, digits, "-" and "_"; "$ref" is a sub-attribute too). The
// parser is general and costs more than the rest of a small PATCH.
func plainPath(s string) (filter.Path, bool) {
	name, sub, dotted := strings.Cut(s, ".")
	if !attrName(name) || (dotted && !attrName(sub) && sub != "$ref") {
		return filter.Path{}, false
	}
	p := filter.Path{AttributePath: filter.AttributePath{AttributeName: name}}
	if dotted {
		p.AttributePath.SubAttribute = &sub
	}
	return p, true
}

func attrName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		alpha := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !alpha && (i == 0 || !(r >= '0' && r <= '9' || r == '-' || r == '_')) {
			return false
		}
	}
	return true
}

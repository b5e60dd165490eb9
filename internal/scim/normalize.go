package scim

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Resource is a SCIM resource as JSON, with attribute names in their
// schema's case and the enterprise extension under EnterpriseURN. It never
// holds id or meta: the handler adds them from the stored record.
type Resource = map[string]any

// decodeObject reads a JSON object, keeping numbers as written.
func decodeObject(body []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, BadRequest(TypeInvalidSyntax, "the body is not a JSON object: %v", err)
	}
	if dec.More() {
		return nil, BadRequest(TypeInvalidSyntax, "the body holds more than one JSON value")
	}
	if m == nil {
		return nil, BadRequest(TypeInvalidSyntax, "the body is not a JSON object")
	}
	return m, nil
}

// Normalize checks a resource a client sent and returns it in canonical
// form. RFC 7643 attribute names are case-insensitive, so they are
// rewritten to the schema's case. An explicit null means "no value" and is
// dropped (Entra sends them on create). Read-only attributes (id, meta,
// groups) are ignored, as RFC 7644 section 3.3 allows; a password is
// dropped, since usersync keeps none for provisioned users. A boolean sent
// as the string "True" or "False" (Entra's default PATCH form) becomes a
// boolean. The enterprise attributes Entra's example sends at the top
// level go to the enterprise extension. An attribute no schema defines is
// a 400 invalidValue naming it; another extension's object is kept as it
// came.
func Normalize(kind string, in map[string]any) (Resource, error) {
	return normalize(kind, in, nil)
}

// NormalizeReplacement is Normalize for the body of a PUT, which replaces
// the whole resource: an attribute no schema defines (at the top level or
// in the enterprise extension) is left out and its name returned, as
// Microsoft's reference implementation does with a PUT. POST and PATCH
// still refuse such an attribute, since there it is the point of the
// request; a PUT's other attributes stand on their own.
func NormalizeReplacement(kind string, in map[string]any) (Resource, []string, error) {
	ignored := []string{}
	out, err := normalize(kind, in, &ignored)
	return out, ignored, err
}

// normalize is Normalize; with ignored set it records unknown attributes
// there instead of refusing them.
func normalize(kind string, in map[string]any, ignored *[]string) (Resource, error) {
	out := Resource{}
	for k, v := range in {
		if v == nil {
			continue
		}
		switch {
		case strings.EqualFold(k, "schemas"):
			list, err := schemasList(v)
			if err != nil {
				return nil, err
			}
			out["schemas"] = list
			continue
		case strings.EqualFold(k, "id"), strings.EqualFold(k, "meta"):
			continue
		}
		if urn, rest, ok := splitURN(kind, k); ok {
			if err := putURN(kind, out, urn, rest, v, ignored); err != nil {
				return nil, err
			}
			continue
		}
		if strings.HasPrefix(strings.ToLower(k), "urn:") {
			obj, ok := v.(map[string]any)
			if !ok {
				return nil, BadRequest(TypeInvalidValue, "extension %q must be a JSON object", k)
			}
			out[k] = obj
			continue
		}
		a := coreAttr(kind, k)
		if a == nil && kind == KindUser {
			if ea := findAttr(EnterpriseSchema.Attrs, k); ea != nil {
				if err := putURN(kind, out, EnterpriseURN, ea.Name, v, nil); err != nil {
					return nil, err
				}
				continue
			}
		}
		if a == nil && ignored != nil {
			*ignored = append(*ignored, k)
			continue
		}
		if a == nil {
			return nil, BadRequest(TypeInvalidValue, "unknown attribute %q: the %s schema has no such attribute", k, kind)
		}
		if a.Mutability == "readOnly" || a.Returned == "never" {
			continue
		}
		val, err := coerce(*a, v, a.Name)
		if err != nil {
			return nil, err
		}
		if val != nil {
			out[a.Name] = val
		}
	}
	if kind == KindUser {
		if ext, ok := out[EnterpriseURN].(map[string]any); ok && len(ext) == 0 {
			delete(out, EnterpriseURN)
		}
	}
	out["schemas"] = schemasFor(kind, out)
	return out, nil
}

// putURN puts a value given under a schema URN: the extension's whole
// object (rest empty) or one of its attributes (rest names it, possibly
// with a sub-attribute).
func putURN(kind string, out Resource, urn, rest string, v any, ignored *[]string) error {
	if urn != EnterpriseURN {
		// The core schema's URN: the attribute is a core one.
		if rest == "" {
			obj, ok := v.(map[string]any)
			if !ok {
				return BadRequest(TypeInvalidValue, "%q must be a JSON object", urn)
			}
			n, err := normalize(kind, obj, ignored)
			if err != nil {
				return err
			}
			for k, x := range n {
				if k != "schemas" {
					out[k] = x
				}
			}
			return nil
		}
		n, err := normalize(kind, map[string]any{rest: v}, ignored)
		if err != nil {
			return err
		}
		for k, x := range n {
			if k != "schemas" {
				out[k] = x
			}
		}
		return nil
	}
	if kind != KindUser {
		return BadRequest(TypeInvalidValue, "the enterprise extension applies to Users only")
	}
	ext, _ := out[EnterpriseURN].(map[string]any)
	if ext == nil {
		ext = map[string]any{}
	}
	var in map[string]any
	if rest == "" {
		obj, ok := v.(map[string]any)
		if !ok {
			return BadRequest(TypeInvalidValue, "%q must be a JSON object", EnterpriseURN)
		}
		in = obj
	} else {
		in = map[string]any{rest: v}
	}
	for k, x := range in {
		if x == nil {
			continue
		}
		name, sub, _ := strings.Cut(k, ".")
		a := findAttr(EnterpriseSchema.Attrs, name)
		if a == nil && ignored != nil {
			*ignored = append(*ignored, EnterpriseURN+":"+k)
			continue
		}
		if a == nil {
			return BadRequest(TypeInvalidValue, "unknown attribute %q of the enterprise extension", k)
		}
		if sub != "" {
			x = map[string]any{sub: x}
			if old, ok := ext[a.Name].(map[string]any); ok {
				merged := map[string]any{}
				for ok2, ov := range old {
					merged[ok2] = ov
				}
				merged[sub] = x.(map[string]any)[sub]
				x = merged
			}
		}
		val, err := coerce(*a, x, EnterpriseURN+":"+a.Name)
		if err != nil {
			return err
		}
		if val != nil {
			ext[a.Name] = val
		}
	}
	if len(ext) > 0 {
		out[EnterpriseURN] = ext
	}
	return nil
}

// coerce checks one value against its attribute and returns it in
// canonical form; nil means "no value".
func coerce(a Attr, v any, path string) (any, error) {
	if v == nil {
		return nil, nil
	}
	if a.Multi {
		list, ok := v.([]any)
		if !ok {
			list = []any{v} // a single value where a list belongs
		}
		var out []any
		for _, x := range list {
			if x == nil {
				continue
			}
			one := a
			one.Multi = false
			val, err := coerce(one, x, path)
			if err != nil {
				return nil, err
			}
			if val != nil {
				out = append(out, val)
			}
		}
		if len(out) == 0 {
			return nil, nil
		}
		return out, nil
	}
	switch a.Type {
	case typeComplex:
		obj, ok := v.(map[string]any)
		if !ok {
			if s, isStr := v.(string); isStr && findAttr(a.Sub, "value") != nil {
				// The manager as a bare string (Entra's enterprise
				// extension path): it is the manager's value.
				obj = map[string]any{"value": s}
			} else if l, isList := v.([]any); isList && len(l) == 1 {
				// A one-element list for a single complex attribute, as
				// Entra sends the manager in an Add.
				return coerce(a, l[0], path)
			} else {
				return nil, BadRequest(TypeInvalidValue, "%s must be a JSON object", path)
			}
		}
		out := map[string]any{}
		for k, x := range obj {
			if x == nil {
				continue
			}
			sa := findAttr(a.Sub, k)
			if sa == nil && strings.EqualFold(k, "displayName") && findAttr(a.Sub, "display") != nil {
				// Microsoft's collection names a member's display
				// "displayName"; it is kept as RFC 7643's "display",
				// unless the member also has that.
				if _, both := obj["display"]; both {
					continue
				}
				sa = findAttr(a.Sub, "display")
			}
			if sa == nil {
				return nil, BadRequest(TypeInvalidValue, "unknown attribute %q of %s", k, path)
			}
			if sa.Mutability == "readOnly" && a.Name == "manager" {
				continue
			}
			val, err := coerce(*sa, x, path+"."+sa.Name)
			if err != nil {
				return nil, err
			}
			if val != nil {
				out[sa.Name] = val
			}
		}
		if len(out) == 0 {
			return nil, nil
		}
		return out, nil
	case typeBoolean:
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			switch strings.ToLower(strings.TrimSpace(x)) {
			case "true":
				return true, nil
			case "false":
				return false, nil
			}
		}
		return nil, BadRequest(TypeInvalidValue, "%s must be a boolean (true or false), got %s", path, describe(v))
	default:
		switch x := v.(type) {
		case string:
			return x, nil
		case json.Number:
			return x.String(), nil
		}
		return nil, BadRequest(TypeInvalidValue, "%s must be a string, got %s", path, describe(v))
	}
}

func describe(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	}
	b, _ := json.Marshal(v)
	if len(b) > 60 {
		b = append(b[:60], "..."...)
	}
	return string(b)
}

// schemasList reads a client's schemas attribute: a list of URIs. URIs
// usersync does not know (Microsoft's ADSCIM group schema) are accepted
// and dropped; the misspelled enterprise URN counts as the real one.
func schemasList(v any) ([]any, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, BadRequest(TypeInvalidValue, "schemas must be a list of URIs")
	}
	var out []any
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			return nil, BadRequest(TypeInvalidValue, "schemas must be a list of URIs, got %s in it", describe(x))
		}
		out = append(out, s)
	}
	return out, nil
}

// schemasFor is the schemas attribute of a canonical resource: its core
// schema, the enterprise extension when it has one, and any other
// extension it holds.
func schemasFor(kind string, r Resource) []any {
	out := []any{schemaOf(kind).ID}
	if _, ok := r[EnterpriseURN]; ok {
		out = append(out, EnterpriseURN)
	}
	for k := range r {
		if strings.HasPrefix(strings.ToLower(k), "urn:") && k != EnterpriseURN {
			out = append(out, k)
		}
	}
	return out
}

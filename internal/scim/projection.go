package scim

import "strings"

// projection is a request's attributes or excludedAttributes (RFC 7644,
// section 3.4.2.5). id, schemas and meta are always returned.
type projection struct {
	only, except map[string]bool
}

func projectionOf(kind string, q map[string][]string) (projection, error) {
	var p projection
	parse := func(v string) (map[string]bool, error) {
		if strings.TrimSpace(v) == "" {
			return nil, nil
		}
		m := map[string]bool{}
		for _, name := range strings.Split(v, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			key, err := attrKey(kind, name)
			if err != nil {
				return nil, err
			}
			m[key] = true
		}
		return m, nil
	}
	var err error
	if p.only, err = parse(first(q, "attributes")); err != nil {
		return p, err
	}
	if p.except, err = parse(first(q, "excludedAttributes")); err != nil {
		return p, err
	}
	return p, nil
}

// attrKey is the top-level key an attribute path selects: the attribute's
// canonical name, or the enterprise URN for one of its attributes.
// Sub-attributes select their whole attribute.
func attrKey(kind, path string) (string, error) {
	if i := strings.IndexByte(path, '['); i > 0 {
		// emails[type eq "work"] selects emails (Microsoft's test
		// collection asks so).
		path = path[:i]
	}
	if urn, rest, ok := splitURN(kind, path); ok {
		if urn == EnterpriseURN {
			if rest == "" {
				return EnterpriseURN, nil
			}
			name, _, _ := strings.Cut(rest, ".")
			if a := findAttr(EnterpriseSchema.Attrs, name); a != nil {
				return EnterpriseURN + ":" + a.Name, nil
			}
			return "", BadRequest(TypeInvalidValue, "unknown attribute %q", path)
		}
		path = rest
	}
	name, _, _ := strings.Cut(path, ".")
	if a := coreAttr(kind, name); a != nil {
		return a.Name, nil
	}
	if strings.HasPrefix(strings.ToLower(path), "urn:") {
		return path, nil
	}
	return "", BadRequest(TypeInvalidValue, "unknown attribute %q in attributes or excludedAttributes", path)
}

func (p projection) apply(r map[string]any) map[string]any {
	if p.only == nil && p.except == nil {
		return r
	}
	out := map[string]any{}
	for k, v := range r {
		switch k {
		case "id", "schemas", "meta":
			out[k] = v
			continue
		}
		if k == EnterpriseURN {
			if ext := p.filterExt(v); ext != nil {
				out[k] = ext
			}
			continue
		}
		if p.only != nil && !p.only[k] {
			continue
		}
		if p.except[k] {
			continue
		}
		out[k] = v
	}
	return out
}

func (p projection) filterExt(v any) map[string]any {
	ext, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	if p.except[EnterpriseURN] {
		return nil
	}
	out := map[string]any{}
	for k, x := range ext {
		key := EnterpriseURN + ":" + k
		if p.only != nil && !p.only[key] && !p.only[EnterpriseURN] {
			continue
		}
		if p.except[key] {
			continue
		}
		out[k] = x
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

package scim

import (
	"fmt"
	"strings"
)

// Flatten turns a User into the attributes a connection's mappings read,
// with names the mapping language accepts (letters, digits, '.', '-'):
//
//	userName, displayName, externalId, title, active ("true"/"false"), id
//	name.givenName, name.familyName, ...   sub-attributes of a complex attribute
//	emails.work.value, addresses.work.locality   the element of that type
//	emails.value, phoneNumbers.value        the primary element, or the first
//	enterprise.department, enterprise.manager    the enterprise extension
//
// The keys are lower-cased, as directory.Entry keeps attribute names.
func Flatten(id string, r Resource) map[string][]string {
	out := map[string][]string{"id": {id}}
	put := func(k string, v any) {
		s, ok := scalar(v)
		if ok && s != "" {
			k = strings.ToLower(k)
			out[k] = append(out[k], s)
		}
	}
	flattenInto(put, "", r, UserSchema.Attrs)
	for _, a := range commonAttrs {
		if v, ok := r[a.Name]; ok {
			put(a.Name, v)
		}
	}
	if ext, ok := r[EnterpriseURN].(map[string]any); ok {
		flattenInto(put, "enterprise.", ext, EnterpriseSchema.Attrs)
	}
	return out
}

func flattenInto(put func(string, any), prefix string, r map[string]any, attrs []Attr) {
	for _, a := range attrs {
		v, ok := r[a.Name]
		if !ok || a.Returned == "never" {
			continue
		}
		name := prefix + a.Name
		switch {
		case a.Multi:
			list, _ := v.([]any)
			var primary, firstEl map[string]any
			for _, e := range list {
				obj, ok := e.(map[string]any)
				if !ok {
					continue
				}
				if firstEl == nil {
					firstEl = obj
				}
				if p, _ := obj["primary"].(bool); p && primary == nil {
					primary = obj
				}
				if t, ok := obj["type"].(string); ok && t != "" && validName(t) {
					for k, x := range obj {
						if k != "type" && k != "primary" {
							put(name+"."+strings.ToLower(t)+"."+k, x)
						}
					}
				}
			}
			if primary == nil {
				primary = firstEl
			}
			for k, x := range primary {
				if k != "type" && k != "primary" {
					put(name+"."+k, x)
				}
			}
		case a.Type == typeComplex:
			obj, _ := v.(map[string]any)
			for k, x := range obj {
				put(name+"."+k, x)
			}
			if x, ok := obj["value"]; ok {
				put(name, x) // the manager: its value
			}
		default:
			put(name, v)
		}
	}
}

// validName says a type value can be part of an attribute name.
func validName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return s != ""
}

func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case bool:
		return fmt.Sprint(x), true
	case fmt.Stringer:
		return x.String(), true
	}
	return "", false
}

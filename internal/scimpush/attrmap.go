package scimpush

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/mapping/expr"
	"github.com/usersync/usersync/internal/store"
)

// DefaultMappings push usersync's application fields to the SCIM core User
// and enterprise extension attributes that Entra ID's provisioning fills for
// a non-gallery application, so that an application that takes Entra's
// pushes takes usersync's alike.
func DefaultMappings() []mapping.Mapping {
	m := func(src, target string) mapping.Mapping { return mapping.Mapping{Source: src, Target: target} }
	return []mapping.Mapping{
		m(mapping.FieldUserID, "userName"),
		m("externalId", "externalId"),
		{Expression: "Coalesce([displayName], [userId])", Target: "displayName"},
		m("firstName", "name.givenName"),
		m("lastName", "name.familyName"),
		m(mapping.FieldEmail, `emails[type eq "work"].value`),
		m("title", "title"),
		m("telephoneNumber", `phoneNumbers[type eq "work"].value`),
		m("mobile", `phoneNumbers[type eq "mobile"].value`),
		m("department", "enterprise.department"),
		m("employeeId", "enterprise.employeeNumber"),
	}
}

// AttrMap turns a usersync user into SCIM attribute values.
type AttrMap struct {
	rules []rule
}

type rule struct {
	target string
	source string
	expr   *expr.Expr
	def    string
}

// CompileMappings compiles push mappings (nil for DefaultMappings). Each
// mapping's source is an application field, or userId, externalId, status
// or connection; an expression reads the same names.
func CompileMappings(ms []mapping.Mapping) (*AttrMap, error) {
	if ms == nil {
		ms = DefaultMappings()
	}
	am := &AttrMap{}
	for i, m := range ms {
		r := rule{target: m.Target, source: m.Source, def: m.Default}
		if m.Expression != "" {
			e, err := expr.Parse(m.Expression)
			if err != nil {
				return nil, fmt.Errorf("scimpush: mappings[%d].expression: %w", i, err)
			}
			r.expr = e
		}
		if _, _, _, err := splitPath(m.Target); err != nil {
			return nil, fmt.Errorf("scimpush: mappings[%d].target: %w", i, err)
		}
		am.rules = append(am.rules, r)
	}
	return am, nil
}

// Values returns each mapped SCIM attribute path's value for u; an empty
// value means the attribute should be absent on the target.
func (am *AttrMap) Values(u store.User) (map[string]string, error) {
	attrs := expr.Map{"userId": {u.UserID}, "externalId": {u.ExternalID}, "status": {u.Status}, "connection": {u.Connection}}
	for k, v := range u.Fields {
		if v != "" {
			attrs[k] = []string{v}
		}
	}
	out := make(map[string]string, len(am.rules))
	for _, r := range am.rules {
		var v string
		if r.expr != nil {
			val, err := r.expr.Eval(attrs)
			if err != nil {
				return nil, fmt.Errorf("scimpush: %s: %w", r.target, err)
			}
			v = strings.Join(val.Strings(), ", ")
		} else if vs := attrs.Values(r.source); len(vs) > 0 {
			v = vs[0]
		}
		if v == "" {
			v = r.def
		}
		out[r.target] = v
	}
	return out, nil
}

var pathRE = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9]*)(?:\[type eq "([A-Za-z0-9]+)"\])?(?:\.([A-Za-z][A-Za-z0-9]*))?$`)

// splitPath splits attr[type eq "t"].sub; enterprise.x is the enterprise
// extension's attribute x.
func splitPath(p string) (attr, typ, sub string, err error) {
	m := pathRE.FindStringSubmatch(p)
	if m == nil {
		return "", "", "", fmt.Errorf("%q is not a SCIM attribute path this push writes", p)
	}
	return m[1], m[2], m[3], nil
}

// patchPath is the PATCH path of a mapped attribute path: the enterprise
// extension's attributes are addressed by their schema URN.
func patchPath(p string) string {
	if rest, ok := strings.CutPrefix(p, "enterprise."); ok {
		return SchemaEnterprise + ":" + rest
	}
	return p
}

// NewUser builds the resource POSTed for values and active.
func NewUser(values map[string]string, active bool) Resource {
	r := Resource{"schemas": []string{SchemaUser}, "active": active}
	ent := map[string]any{}
	for _, p := range sortedKeys(values) {
		v := values[p]
		if v == "" {
			continue
		}
		attr, typ, sub, _ := splitPath(p)
		switch {
		case attr == "enterprise" && sub != "":
			ent[sub] = v
		case typ != "":
			list, _ := r[attr].([]any)
			item := map[string]any{"type": typ, sub: v}
			if len(list) == 0 {
				item["primary"] = true
			}
			r[attr] = append(list, item)
		case sub != "":
			inner, _ := r[attr].(map[string]any)
			if inner == nil {
				inner = map[string]any{}
			}
			inner[sub] = v
			r[attr] = inner
		default:
			r[attr] = v
		}
	}
	if len(ent) > 0 {
		r["schemas"] = []string{SchemaUser, SchemaEnterprise}
		r[SchemaEnterprise] = ent
	}
	return r
}

// Value reads a mapped attribute path from a resource the target returned.
func (r Resource) Value(p string) string {
	attr, typ, sub, err := splitPath(p)
	if err != nil {
		return ""
	}
	var v any
	switch {
	case attr == "enterprise" && sub != "":
		ext, _ := r[SchemaEnterprise].(map[string]any)
		v = ext[sub]
	case typ != "":
		list, _ := r[attr].([]any)
		for _, it := range list {
			if m, ok := it.(map[string]any); ok && strings.EqualFold(fmt.Sprint(m["type"]), typ) {
				v = m[sub]
				break
			}
		}
	case sub != "":
		inner, _ := r[attr].(map[string]any)
		v = inner[sub]
	default:
		v = r[attr]
	}
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// hasTyped reports whether p is a typed path (emails[type eq "work"].value)
// whose typed value the resource has; other paths report true.
func (r Resource) hasTyped(p string) bool {
	attr, typ, _, err := splitPath(p)
	if err != nil || typ == "" || attr == "enterprise" {
		return true
	}
	list, _ := r[attr].([]any)
	for _, it := range list {
		if m, ok := it.(map[string]any); ok && strings.EqualFold(fmt.Sprint(m["type"]), typ) {
			return true
		}
	}
	return false
}

// Active reads the resource's active flag; a resource without one counts
// as active, as RFC 7643 leaves its absence to mean.
func (r Resource) Active() bool {
	switch a := r["active"].(type) {
	case bool:
		return a
	case string:
		b, err := strconv.ParseBool(a)
		return err != nil || b
	}
	return true
}

// Diff returns the PATCH operations that bring cur to values and active:
// one replace per changed attribute, one remove per attribute that should
// be absent, and nothing for what is already right.
func Diff(cur Resource, values map[string]string, active bool) []Op {
	var ops []Op
	for _, p := range sortedKeys(values) {
		want, have := values[p], cur.Value(p)
		switch {
		case want == have:
		case want == "":
			ops = append(ops, Op{Op: "remove", Path: patchPath(p)})
		case have == "" && !cur.hasTyped(p):
			// RFC 7644 section 3.5.2.3: a replace whose value filter
			// matches nothing is an error (noTarget), so a value of a
			// type the user does not have yet is added to the list.
			attr, typ, sub, _ := splitPath(p)
			ops = append(ops, Op{Op: "add", Path: attr, Value: []map[string]any{{"type": typ, sub: want}}})
		default:
			ops = append(ops, Op{Op: "replace", Path: patchPath(p), Value: want})
		}
	}
	if cur.Active() != active {
		ops = append(ops, Op{Op: "replace", Path: "active", Value: active})
	}
	return ops
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

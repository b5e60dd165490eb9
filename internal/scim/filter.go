package scim

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	filter "github.com/scim2/filter-parser/v2"
)

// maxFilter bounds a filter's length: a longer one is a 400 tooMany rather
// than work for the parser.
const maxFilter = 4096

// valueSubCompare matches "emails[type eq "work"].value eq "x"": a value
// path followed by a sub-attribute comparison, which Microsoft documents
// as a user query although RFC 7644's grammar has no such form. It is
// rewritten as emails[type eq "work" and value eq "x"], which means the
// same.
var valueSubCompare = regexp.MustCompile(`^\s*([A-Za-z][\w:.-]*)\[([^\]]+)\]\.([A-Za-z][\w]*)\s+(eq|ne|co|sw|ew|gt|lt|ge|le)\s+(.+?)\s*$`)

// ParseFilter parses a filter (RFC 7644, section 3.4.2.2) with the
// scim2 filter parser; a filter it cannot read is a 400 invalidFilter.
func ParseFilter(s string) (filter.Expression, error) {
	if len(s) > maxFilter {
		return nil, BadRequest(TypeInvalidFilter, "the filter is longer than %d bytes", maxFilter)
	}
	if m := valueSubCompare.FindStringSubmatch(s); m != nil && !strings.Contains(strings.ToLower(m[2]), " or ") {
		// The parser takes no parentheses inside brackets; without an
		// "or" inside, none are needed.
		s = fmt.Sprintf("%s[%s and %s %s %s]", m[1], m[2], m[3], m[4], m[5])
	}
	e, err := parseFilter(s)
	if err != nil {
		if q := quoteBare(s); q != s {
			if e2, err2 := parseFilter(q); err2 == nil {
				return e2, nil
			}
		}
		return nil, BadRequest(TypeInvalidFilter, "the filter %q is not a SCIM filter: %v", s, err)
	}
	return e, nil
}

// bareOperand matches a comparison whose value is not quoted.
var bareOperand = regexp.MustCompile(`(?i)(\s(?:eq|ne|co|sw|ew|gt|lt|ge|le)\s+)([^\s"()\[\]]+)`)

// quoteBare quotes the values Microsoft writes bare ("externalId eq
// jyoung" in its provisioning page, "userName sw O" in its test
// collection), so that a filter the strict grammar refuses only for that
// is read as the strings it means. true, false, null and numbers stay.
func quoteBare(s string) string {
	return bareOperand.ReplaceAllStringFunc(s, func(m string) string {
		sub := bareOperand.FindStringSubmatch(m)
		if isLiteral(sub[2]) {
			return m
		}
		q, _ := json.Marshal(sub[2])
		return sub[1] + string(q)
	})
}

// checkFilter rejects a filter on an attribute the resource's schemas do
// not define: RFC 7644 answers it 400 invalidFilter rather than an empty
// list, which would read as "nobody" to a client matching users.
func checkFilter(kind string, e filter.Expression) error {
	switch x := e.(type) {
	case *filter.LogicalExpression:
		if err := checkFilter(kind, x.Left); err != nil {
			return err
		}
		return checkFilter(kind, x.Right)
	case *filter.NotExpression:
		return checkFilter(kind, x.Expression)
	case *filter.AttributeExpression:
		return checkPath(kind, x.AttributePath)
	case *filter.ValuePath:
		a, err := attrOf(kind, x.AttributePath)
		if err != nil {
			return err
		}
		if a == nil {
			return nil // another extension's attribute
		}
		return checkSub(a, x.ValueFilter)
	}
	return nil
}

func checkSub(a *Attr, e filter.Expression) error {
	switch x := e.(type) {
	case *filter.LogicalExpression:
		if err := checkSub(a, x.Left); err != nil {
			return err
		}
		return checkSub(a, x.Right)
	case *filter.NotExpression:
		return checkSub(a, x.Expression)
	case *filter.AttributeExpression:
		name := x.AttributePath.AttributeName
		if sub := x.AttributePath.SubAttributeName(); sub != "" {
			name = sub
		}
		if findAttr(a.Sub, name) == nil {
			return BadRequest(TypeInvalidFilter, "%s has no sub-attribute %q to filter on", a.Name, name)
		}
	}
	return nil
}

// attrOf finds the attribute a filter path names; nil with no error is an
// attribute of an extension usersync does not define.
func attrOf(kind string, p filter.AttributePath) (*Attr, error) {
	uri := p.URI()
	var a *Attr
	switch {
	case uri != "" && isEnterpriseURN(uri):
		if kind != KindUser {
			return nil, BadRequest(TypeInvalidFilter, "the enterprise extension applies to Users only")
		}
		a = findAttr(EnterpriseSchema.Attrs, p.AttributeName)
	case uri != "" && !strings.EqualFold(uri, schemaOf(kind).ID):
		return nil, nil
	default:
		a = coreAttr(kind, p.AttributeName)
		if a == nil && kind == KindUser {
			a = findAttr(EnterpriseSchema.Attrs, p.AttributeName)
		}
	}
	if a == nil {
		return nil, BadRequest(TypeInvalidFilter, "the %s schema has no attribute %q to filter on", kind, p.String())
	}
	return a, nil
}

// checkPath checks an attribute path and its sub-attribute.
func checkPath(kind string, p filter.AttributePath) error {
	a, err := attrOf(kind, p)
	if err != nil || a == nil {
		return err
	}
	if sub := p.SubAttributeName(); sub != "" && findAttr(a.Sub, sub) == nil {
		return BadRequest(TypeInvalidFilter, "%s has no sub-attribute %q to filter on", a.Name, sub)
	}
	return nil
}

// parseFilter calls the parser, turning a panic on hostile input into an
// error: a filter never fails a request with a 500.
func parseFilter(s string) (e filter.Expression, err error) {
	defer func() {
		if r := recover(); r != nil {
			e, err = nil, fmt.Errorf("unreadable filter")
		}
	}()
	return filter.ParseFilter([]byte(s))
}

func isLiteral(s string) bool {
	switch strings.ToLower(s) {
	case "true", "false", "null":
		return true
	}
	var n json.Number
	return json.Unmarshal([]byte(s), &n) == nil
}

// Match reports whether a resource (with its id) matches a filter.
func Match(kind string, r Resource, e filter.Expression) bool {
	switch x := e.(type) {
	case *filter.LogicalExpression:
		if x.Operator == filter.AND {
			return Match(kind, r, x.Left) && Match(kind, r, x.Right)
		}
		return Match(kind, r, x.Left) || Match(kind, r, x.Right)
	case *filter.NotExpression:
		return !Match(kind, r, x.Expression)
	case *filter.AttributeExpression:
		a, vals := lookup(kind, r, x.AttributePath, true)
		return compareAny(a, vals, x.Operator, x.CompareValue)
	case *filter.ValuePath:
		a, vals := lookup(kind, r, filter.AttributePath{URIPrefix: x.AttributePath.URIPrefix, AttributeName: x.AttributePath.AttributeName}, false)
		if a == nil || a.Type != typeComplex {
			return false
		}
		for _, v := range vals {
			if obj, ok := v.(map[string]any); ok && matchElement(*a, obj, x.ValueFilter) {
				return true
			}
		}
	}
	return false
}

// matchElement matches one element of a multi-valued complex attribute
// against a value filter.
func matchElement(a Attr, obj map[string]any, e filter.Expression) bool {
	switch x := e.(type) {
	case *filter.LogicalExpression:
		if x.Operator == filter.AND {
			return matchElement(a, obj, x.Left) && matchElement(a, obj, x.Right)
		}
		return matchElement(a, obj, x.Left) || matchElement(a, obj, x.Right)
	case *filter.NotExpression:
		return !matchElement(a, obj, x.Expression)
	case *filter.AttributeExpression:
		name := x.AttributePath.AttributeName
		if sub := x.AttributePath.SubAttributeName(); sub != "" {
			name = sub
		}
		sa := findAttr(a.Sub, name)
		if sa == nil {
			return false
		}
		var vals []any
		if v, ok := obj[sa.Name]; ok {
			vals = []any{v}
		}
		return compareAny(sa, vals, x.Operator, x.CompareValue)
	}
	return false
}

// lookup returns an attribute path's definition and its values in r. A
// complex attribute compared without a sub-attribute compares its value
// sub-attribute (RFC 7644, section 3.4.2.2) when byValue is set;
// otherwise the elements themselves are returned. "manager" without a URN is
// the enterprise manager, as Microsoft's provisioning service queries it.
func lookup(kind string, r Resource, p filter.AttributePath, byValue bool) (*Attr, []any) {
	container := map[string]any(r)
	var a *Attr
	name, sub := p.AttributeName, p.SubAttributeName()
	uri := p.URI()
	switch {
	case uri != "" && isEnterpriseURN(uri):
		a = findAttr(EnterpriseSchema.Attrs, name)
		container, _ = r[EnterpriseURN].(map[string]any)
	case uri != "" && !strings.EqualFold(uri, schemaOf(kind).ID):
		return nil, nil
	default:
		a = coreAttr(kind, name)
		if a == nil && kind == KindUser {
			a = findAttr(EnterpriseSchema.Attrs, name)
			container, _ = r[EnterpriseURN].(map[string]any)
		}
	}
	if a == nil || container == nil {
		return a, nil
	}
	v, ok := container[a.Name]
	if !ok {
		return a, nil
	}
	if byValue && a.Type == typeComplex && sub == "" && findAttr(a.Sub, "value") != nil {
		sub = "value"
	}
	if sub == "" {
		if l, ok := v.([]any); ok {
			return a, l
		}
		return a, []any{v}
	}
	sa := findAttr(a.Sub, sub)
	if sa == nil {
		return nil, nil
	}
	var out []any
	elems, ok := v.([]any)
	if !ok {
		elems = []any{v}
	}
	for _, e := range elems {
		if obj, ok := e.(map[string]any); ok {
			if x, ok := obj[sa.Name]; ok {
				out = append(out, x)
			}
		}
	}
	return sa, out
}

// compareAny reports whether any value compares true; pr is true when
// there is a value, and ne when no value equals.
func compareAny(a *Attr, vals []any, op filter.CompareOperator, want any) bool {
	if a == nil {
		return false
	}
	switch op {
	case filter.PR:
		return len(vals) > 0
	case filter.NE:
		for _, v := range vals {
			if compare(a, v, filter.EQ, want) {
				return false
			}
		}
		return true
	}
	for _, v := range vals {
		if compare(a, v, op, want) {
			return true
		}
	}
	return false
}

func compare(a *Attr, v any, op filter.CompareOperator, want any) bool {
	if b, ok := v.(bool); ok {
		w, ok := want.(bool)
		return ok && op == filter.EQ && b == w
	}
	s, ok := v.(string)
	if !ok {
		return false
	}
	var w string
	switch x := want.(type) {
	case string:
		w = x
	case bool, nil:
		return false
	default:
		w = fmt.Sprint(x)
	}
	if a.Type == typeDateTime {
		if c, ok := compareTimes(s, w); ok {
			switch op {
			case filter.EQ:
				return c == 0
			case filter.GT:
				return c > 0
			case filter.GE:
				return c >= 0
			case filter.LT:
				return c < 0
			case filter.LE:
				return c <= 0
			}
		}
	}
	if !a.CaseExact {
		s, w = strings.ToLower(s), strings.ToLower(w)
	}
	switch op {
	case filter.EQ:
		return s == w
	case filter.CO:
		return strings.Contains(s, w)
	case filter.SW:
		return strings.HasPrefix(s, w)
	case filter.EW:
		return strings.HasSuffix(s, w)
	case filter.GT:
		return s > w
	case filter.GE:
		return s >= w
	case filter.LT:
		return s < w
	case filter.LE:
		return s <= w
	}
	return false
}

// Hint is what a filter pins down exactly, so that a Backend can look the
// candidates up by index instead of reading every resource: the AND of
// equalities on id, userName (users) or displayName (groups) and
// externalId. The handler still matches the whole filter.
type Hint struct {
	ID, Name, ExternalID string
}

// hintOf collects the equalities a filter ANDs together.
func hintOf(kind string, e filter.Expression) Hint {
	var h Hint
	var walk func(filter.Expression)
	walk = func(e filter.Expression) {
		switch x := e.(type) {
		case *filter.LogicalExpression:
			if x.Operator == filter.AND {
				walk(x.Left)
				walk(x.Right)
			}
		case *filter.AttributeExpression:
			s, ok := x.CompareValue.(string)
			if !ok || x.Operator != filter.EQ || x.AttributePath.SubAttribute != nil {
				return
			}
			if uri := x.AttributePath.URI(); uri != "" && !strings.EqualFold(uri, schemaOf(kind).ID) {
				return
			}
			switch name := strings.ToLower(x.AttributePath.AttributeName); {
			case name == "id":
				h.ID = s
			case name == "externalid":
				h.ExternalID = s
			case name == "username" && kind == KindUser, name == "displayname" && kind == KindGroup:
				h.Name = strings.ToLower(s)
			}
		}
	}
	walk(e)
	return h
}

// compareTimes compares two RFC 3339 date-times by the instants they name.
func compareTimes(a, b string) (int, bool) {
	ta, err1 := time.Parse(time.RFC3339Nano, a)
	tb, err2 := time.Parse(time.RFC3339Nano, b)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return ta.Compare(tb), true
}

package graph

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

var propName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// parseSelect splits a $select value; an empty value selects the default
// properties (nil).
func parseSelect(v string) ([]string, error) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	var out []string
	seen := map[string]bool{}
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		if !propName.MatchString(p) {
			return nil, fmt.Errorf("$select: %q is not a property name", p)
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out, nil
}

// maxPageSize reads Prefer: odata.maxpagesize=N (paging.md: a client may
// ask for a page size with this preference; the server may send fewer).
func maxPageSize(r *http.Request) int {
	for _, h := range r.Header.Values("Prefer") {
		for _, part := range strings.Split(h, ",") {
			k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "odata.maxpagesize") {
				if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 {
					return n
				}
			}
		}
	}
	return 0
}

// preferMinimal reads Prefer: return=minimal (user-delta.md: on a request
// with a deltaLink it returns only the properties that changed).
func preferMinimal(r *http.Request) bool {
	for _, h := range r.Header.Values("Prefer") {
		for _, part := range strings.Split(h, ",") {
			if strings.EqualFold(strings.ReplaceAll(strings.TrimSpace(part), " ", ""), "return=minimal") {
				return true
			}
		}
	}
	return false
}

// filter is a parsed $filter: a disjunction of conjunctions of terms
// ("and" binds tighter than "or", as in OData).
type filter [][]term

type term struct {
	op    string // eq, ne, startswith, in
	prop  string
	value []json.RawMessage // one value, several for in
}

// filterable lists the properties $filter accepts on list requests, with
// the operators each one supports (user-list.md and group-list.md: eq on
// most string properties, startswith on the name-like ones, eq on
// accountEnabled and userType).
var filterable = map[string]string{
	"id": "eq,in", "userPrincipalName": "eq,startswith,in", "mail": "eq,startswith,in",
	"displayName": "eq,startswith,in", "givenName": "eq,startswith,in", "surname": "eq,startswith,in",
	"jobTitle": "eq,startswith,in", "department": "eq,startswith,in", "employeeId": "eq,startswith,in",
	"userType": "eq,in", "accountEnabled": "eq", "mailNickname": "eq,startswith,in",
	"securityEnabled": "eq", "mailEnabled": "eq", "officeLocation": "eq,startswith",
	"preferredLanguage": "eq",
}

type lexer struct {
	s   string
	pos int
}

func (l *lexer) skip() {
	for l.pos < len(l.s) && l.s[l.pos] == ' ' {
		l.pos++
	}
}

// token returns the next word, quoted string, or punctuation.
func (l *lexer) token() (string, error) {
	l.skip()
	if l.pos >= len(l.s) {
		return "", nil
	}
	c := l.s[l.pos]
	switch {
	case c == '(' || c == ')' || c == ',':
		l.pos++
		return string(c), nil
	case c == '\'':
		var b strings.Builder
		b.WriteByte('\'')
		l.pos++
		for {
			if l.pos >= len(l.s) {
				return "", fmt.Errorf("unterminated string")
			}
			if l.s[l.pos] == '\'' {
				if l.pos+1 < len(l.s) && l.s[l.pos+1] == '\'' {
					b.WriteString("''")
					l.pos += 2
					continue
				}
				l.pos++
				b.WriteByte('\'')
				return b.String(), nil
			}
			b.WriteByte(l.s[l.pos])
			l.pos++
		}
	default:
		start := l.pos
		for l.pos < len(l.s) && !strings.ContainsRune(" (),'", rune(l.s[l.pos])) {
			l.pos++
		}
		return l.s[start:l.pos], nil
	}
}

func (l *lexer) expect(want string) error {
	t, err := l.token()
	if err != nil {
		return err
	}
	if t != want {
		return fmt.Errorf("expected %q, found %q", want, t)
	}
	return nil
}

func literal(t string) (json.RawMessage, error) {
	switch {
	case strings.HasPrefix(t, "'"):
		s := strings.ReplaceAll(t[1:len(t)-1], "''", "'")
		b, _ := json.Marshal(s)
		return b, nil
	case t == "true" || t == "false" || t == "null":
		return json.RawMessage(t), nil
	}
	if _, err := strconv.ParseFloat(t, 64); err == nil {
		return json.RawMessage(t), nil
	}
	return nil, fmt.Errorf("%q is not a literal", t)
}

// parseFilter parses the subset of OData $filter Graph's directory
// endpoints accept without advanced query parameters.
func parseFilter(v string) (filter, error) {
	l := &lexer{s: v}
	var f filter
	var and []term
	for {
		t, err := l.token()
		if err != nil {
			return nil, err
		}
		var tm term
		if strings.EqualFold(t, "startswith") {
			if err := l.expect("("); err != nil {
				return nil, err
			}
			p, err := l.token()
			if err != nil {
				return nil, err
			}
			if err := l.expect(","); err != nil {
				return nil, err
			}
			lit, err := l.token()
			if err != nil {
				return nil, err
			}
			val, err := literal(lit)
			if err != nil || !strings.HasPrefix(lit, "'") {
				return nil, fmt.Errorf("startswith needs a string")
			}
			if err := l.expect(")"); err != nil {
				return nil, err
			}
			tm = term{op: "startswith", prop: p, value: []json.RawMessage{val}}
		} else {
			op, err := l.token()
			if err != nil {
				return nil, err
			}
			op = strings.ToLower(op)
			switch op {
			case "eq", "ne":
				lit, err := l.token()
				if err != nil {
					return nil, err
				}
				val, err := literal(lit)
				if err != nil {
					return nil, err
				}
				tm = term{op: op, prop: t, value: []json.RawMessage{val}}
			case "in":
				if err := l.expect("("); err != nil {
					return nil, err
				}
				tm = term{op: "in", prop: t}
				for {
					lit, err := l.token()
					if err != nil {
						return nil, err
					}
					val, err := literal(lit)
					if err != nil {
						return nil, err
					}
					tm.value = append(tm.value, val)
					sep, err := l.token()
					if err != nil {
						return nil, err
					}
					if sep == ")" {
						break
					}
					if sep != "," {
						return nil, fmt.Errorf("expected , or ) in the in list")
					}
				}
			default:
				return nil, fmt.Errorf("operator %q is not supported", op)
			}
		}
		and = append(and, tm)
		next, err := l.token()
		if err != nil {
			return nil, err
		}
		switch strings.ToLower(next) {
		case "":
			return append(f, and), nil
		case "and":
		case "or":
			f = append(f, and)
			and = nil
		default:
			return nil, fmt.Errorf("unexpected %q", next)
		}
	}
}

// checkList reports terms a list request does not support.
func (f filter) checkList(res resource) error {
	for _, and := range f {
		for _, t := range and {
			ops, ok := filterable[t.prop]
			if !ok || (t.op != "ne" && !strings.Contains(ops, t.op)) || t.op == "ne" {
				//lint:ignore ST1005 the text is Graph's own error message, word for word, as clients see it
				return fmt.Errorf("Unsupported or invalid query filter clause specified for property '%s' of resource '%s'.", t.prop, res.resourceName())
			}
		}
	}
	return nil
}

// deltaIDs returns the object ids of a delta filter, which may only be
// "id eq '...'" terms joined by "or", at most 50 (user-delta.md and
// group-delta.md: the only supported $filter tracks specific objects by id,
// up to 50 of them).
func (f filter) deltaIDs() ([]string, error) {
	var ids []string
	for _, and := range f {
		if len(and) != 1 || and[0].prop != "id" || and[0].op != "eq" {
			return nil, fmt.Errorf("the only filter delta supports is id eq '{id}', joined by or")
		}
		var id string
		if err := json.Unmarshal(and[0].value[0], &id); err != nil {
			return nil, fmt.Errorf("id eq needs a string")
		}
		ids = append(ids, id)
	}
	if len(ids) > 50 {
		return nil, fmt.Errorf("at most 50 ids may be filtered, found %d", len(ids))
	}
	return ids, nil
}

// match evaluates the filter on an object's encoded properties; string
// comparison ignores case, as the directory does.
func (f filter) match(id string, props map[string]json.RawMessage) bool {
	if len(f) == 0 {
		return true
	}
	for _, and := range f {
		ok := true
		for _, t := range and {
			if !t.match(id, props) {
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

func (t term) match(id string, props map[string]json.RawMessage) bool {
	var have json.RawMessage
	if t.prop == "id" {
		have, _ = json.Marshal(id)
	} else {
		have = props[t.prop]
	}
	// Values are compared decoded, since one string has several JSON
	// spellings; strings without regard to case.
	var hv any
	if have != nil {
		_ = json.Unmarshal(have, &hv)
	}
	eq := func(v json.RawMessage) bool {
		var wv any
		_ = json.Unmarshal(v, &wv)
		hs, ok1 := hv.(string)
		ws, ok2 := wv.(string)
		if ok1 && ok2 {
			return strings.EqualFold(hs, ws)
		}
		return hv == wv
	}
	switch t.op {
	case "eq":
		return eq(t.value[0])
	case "ne":
		return !eq(t.value[0])
	case "in":
		for _, v := range t.value {
			if eq(v) {
				return true
			}
		}
		return false
	case "startswith":
		if len(have) < 2 || have[0] != '"' {
			return false
		}
		var h, p string
		_ = json.Unmarshal(have, &h)
		_ = json.Unmarshal(t.value[0], &p)
		return strings.HasPrefix(strings.ToLower(h), strings.ToLower(p))
	}
	return false
}

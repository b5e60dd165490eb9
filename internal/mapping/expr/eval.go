package expr

import (
	"fmt"
	"strconv"
	"strings"
)

// Attributes gives an expression the values of a directory entry's
// attributes. Values returns nothing for an absent attribute, one element
// for a single value and several for a multi-valued attribute. Names are
// case-insensitive; implementations should look them up accordingly.
type Attributes interface {
	Values(name string) []string
}

// Map is a simple Attributes backed by a map. Lookups try the exact name
// first and then compare names case-insensitively.
type Map map[string][]string

// Values returns the values of the attribute called name.
func (m Map) Values(name string) []string {
	if v, ok := m[name]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// Eval evaluates the expression against attrs, which may be nil when the
// expression reads no attributes. It never panics; a function that cannot
// compute its result returns an *EvalError naming it.
func (e *Expr) Eval(attrs Attributes) (Value, error) {
	ev := &evaluator{attrs: attrs}
	return ev.eval(e.root)
}

// evaluator carries what evaluation needs.
type evaluator struct {
	attrs Attributes
	// guard, when set, is a separator no part of a Join on it may contain
	// (EvalCustomFields).
	guard string
	// unique, when set, checks SelectUniqueValue's candidates.
	unique Uniqueness
}

func (ev *evaluator) eval(n node) (Value, error) {
	switch n := n.(type) {
	case *attrNode:
		if ev.attrs == nil {
			return Null(), nil
		}
		return fromValues(ev.attrs.Values(n.name)), nil
	case *litNode:
		return n.val, nil
	case *omittedNode:
		return Null(), nil
	case *callNode:
		return n.fn.eval(ev, n)
	case *compareNode:
		return ev.compare(n)
	}
	return Null(), fmt.Errorf("expr: unknown node %T", n)
}

// args evaluates every argument of c.
func (ev *evaluator) args(c *callNode) ([]Value, error) {
	vals := make([]Value, len(c.args))
	for i, a := range c.args {
		v, err := ev.eval(a)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	return vals, nil
}

// fail returns an *EvalError for the call c.
func fail(c *callNode, format string, args ...any) error {
	return &EvalError{Func: c.fn.name, Pos: c.pos, Err: fmt.Errorf(format, args...)}
}

// scalar returns argument i as one string. null reports whether it is null.
// A list is an error wrapping ErrMultiValued.
func scalar(c *callNode, i int, v Value) (s string, null bool, err error) {
	switch v.Kind() {
	case KindNull:
		return "", true, nil
	case KindList:
		return "", false, &EvalError{Func: c.fn.name, Pos: c.pos, Err: fmt.Errorf("argument %d (%s) has %d values, expected one: %w",
			i+1, c.fn.paramName(i, len(c.args)), len(v.list), ErrMultiValued)}
	}
	return v.String(), false, nil
}

// integer returns argument i as an integer. A null or non-numeric value is
// an error wrapping ErrNotInteger.
func integer(c *callNode, i int, v Value) (int64, error) {
	s, null, err := scalar(c, i, v)
	if err != nil {
		return 0, err
	}
	if null {
		return 0, &EvalError{Func: c.fn.name, Pos: c.pos, Err: fmt.Errorf("argument %d (%s) is null: %w", i+1, c.fn.paramName(i, len(c.args)), ErrNotInteger)}
	}
	n, perr := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if perr != nil {
		return 0, &EvalError{Func: c.fn.name, Pos: c.pos, Err: fmt.Errorf("argument %d (%s) is %s: %w", i+1, c.fn.paramName(i, len(c.args)), quote(s), ErrNotInteger)}
	}
	return n, nil
}

// mapStrings applies f to a string, to each element of a list, and to the
// text of a boolean; null stays null.
func mapStrings(v Value, f func(string) string) Value {
	switch v.Kind() {
	case KindNull:
		return v
	case KindList:
		out := make([]string, len(v.list))
		for i, s := range v.list {
			out[i] = f(s)
		}
		return Value{kind: KindList, list: out}
	}
	return Str(f(v.String()))
}

// compare evaluates left op right. Null equals only null and is neither
// less nor greater than anything. Two integers compare as numbers, two
// booleans (or a boolean and "true"/"false") as booleans, anything else as
// strings, case-sensitively.
func (ev *evaluator) compare(n *compareNode) (Value, error) {
	l, err := ev.eval(n.left)
	if err != nil {
		return Null(), err
	}
	r, err := ev.eval(n.right)
	if err != nil {
		return Null(), err
	}
	for i, v := range []Value{l, r} {
		if v.Kind() == KindList {
			side := [2]string{"left", "right"}[i]
			return Null(), &EvalError{Func: n.op, Pos: n.pos, Err: fmt.Errorf("%s operand has %d values, expected one: %w", side, len(v.list), ErrMultiValued)}
		}
	}
	if l.IsNull() || r.IsNull() {
		both := l.IsNull() && r.IsNull()
		switch n.op {
		case "=":
			return Bool(both), nil
		case "<>", "!=":
			return Bool(!both), nil
		}
		return Bool(false), nil
	}
	cmp := compareScalars(l, r)
	switch n.op {
	case "=":
		return Bool(cmp == 0), nil
	case "<>", "!=":
		return Bool(cmp != 0), nil
	case "<":
		return Bool(cmp < 0), nil
	case "<=":
		return Bool(cmp <= 0), nil
	case ">":
		return Bool(cmp > 0), nil
	case ">=":
		return Bool(cmp >= 0), nil
	}
	return Null(), &EvalError{Func: n.op, Pos: n.pos, Err: fmt.Errorf("unknown comparison")}
}

func compareScalars(l, r Value) int {
	if l.Kind() == KindBool || r.Kind() == KindBool {
		lb, lok := l.AsBool()
		rb, rok := r.AsBool()
		if lok && rok {
			switch {
			case lb == rb:
				return 0
			case !lb:
				return -1
			}
			return 1
		}
	}
	ls, rs := l.String(), r.String()
	li, lerr := strconv.ParseInt(strings.TrimSpace(ls), 10, 64)
	ri, rerr := strconv.ParseInt(strings.TrimSpace(rs), 10, 64)
	if lerr == nil && rerr == nil {
		switch {
		case li < ri:
			return -1
		case li > ri:
			return 1
		}
		return 0
	}
	return strings.Compare(ls, rs)
}

// AttributeChain reports whether the expression is only a choice among
// attributes, [a] or Coalesce([a], [b], ...), and returns their names in
// order. Such an expression's value is the first of those attributes that
// has a value: its value, or its values joined with ", " (Value.String);
// a caller can compute that without evaluating the expression.
func (e *Expr) AttributeChain() ([]string, bool) {
	switch n := e.root.(type) {
	case *attrNode:
		return []string{n.name}, true
	case *callNode:
		if n.fn.name != "Coalesce" || len(n.args) == 0 {
			return nil, false
		}
		names := make([]string, len(n.args))
		for i, a := range n.args {
			an, ok := a.(*attrNode)
			if !ok {
				return nil, false
			}
			names[i] = an.name
		}
		return names, true
	}
	return nil, false
}

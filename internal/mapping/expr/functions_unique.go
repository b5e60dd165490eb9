package expr

import (
	"errors"
	"fmt"
	"strings"
)

// Uniqueness checks the candidates of SelectUniqueValue. Claim reports
// whether value is held by no other user, checked against the store and
// against the values already given out in the same run; a free value is
// reserved for the user being mapped, so that two users of one run never
// get the same value.
type Uniqueness interface {
	Claim(value string) (bool, error)
}

// Options are what an evaluation may use beyond the attributes.
type Options struct {
	// Unique, when set, lets SelectUniqueValue check its candidates.
	// Without it SelectUniqueValue fails with ErrNoUniqueness.
	Unique Uniqueness
}

// ErrNoUniqueness is wrapped by the error of SelectUniqueValue evaluated
// without a uniqueness check.
var ErrNoUniqueness = errors.New("no uniqueness check is available here")

// ErrNoUniqueValue is wrapped by the error of SelectUniqueValue when every
// candidate is taken or empty.
var ErrNoUniqueValue = errors.New("every candidate value is taken")

func init() {
	register(&function{name: "SelectUniqueValue", params: []string{"uniqueValueRule1", "uniqueValueRule2"}, variadic: true, eval: evalSelectUnique})
}

// EvalWith is Eval with options, such as the uniqueness check that
// SelectUniqueValue needs.
func (e *Expr) EvalWith(attrs Attributes, opt Options) (Value, error) {
	ev := &evaluator{attrs: attrs, unique: opt.Unique}
	return ev.eval(e.root)
}

// evalSelectUnique implements SelectUniqueValue(rule1, rule2, ...): the
// first candidate that is neither null nor empty and that Uniqueness
// claims. Candidates after it are not evaluated. When every candidate is
// taken or empty the user fails with ErrNoUniqueValue, naming them.
func evalSelectUnique(ev *evaluator, c *callNode) (Value, error) {
	if ev.unique == nil {
		return Null(), fail(c, "SelectUniqueValue checks its candidates against the stored users: %w", ErrNoUniqueness)
	}
	var tried []string
	for i, a := range c.args {
		v, err := ev.eval(a)
		if err != nil {
			return Null(), err
		}
		s, null, err := scalar(c, i, v)
		if err != nil {
			return Null(), err
		}
		if null || s == "" {
			continue
		}
		free, err := ev.unique.Claim(s)
		if err != nil {
			return Null(), fail(c, "checking %s: %w", quote(s), err)
		}
		if free {
			return Str(s), nil
		}
		tried = append(tried, quote(s))
	}
	return Null(), fail(c, "%w: %s", ErrNoUniqueValue, orNone(tried))
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "every candidate is empty"
	}
	return strings.Join(s, ", ")
}

// checkTopLevel refuses SelectUniqueValue anywhere but at the top of the
// expression: its value is claimed for the user, so it cannot be a part
// of another value.
func checkTopLevel(root node) (pos int, err error) {
	var walk func(n node, top bool) (int, error)
	walk = func(n node, top bool) (int, error) {
		switch n := n.(type) {
		case *callNode:
			if n.fn.name == "SelectUniqueValue" && !top {
				return n.pos, fmt.Errorf("SelectUniqueValue must be the whole expression, not part of another function")
			}
			for _, a := range n.args {
				if p, err := walk(a, false); err != nil {
					return p, err
				}
			}
		case *compareNode:
			if p, err := walk(n.left, false); err != nil {
				return p, err
			}
			return walk(n.right, false)
		}
		return 0, nil
	}
	return walk(root, true)
}

// UsesUniqueness reports whether the expression is a SelectUniqueValue,
// the only function that needs Options.Unique.
func (e *Expr) UsesUniqueness() bool {
	c, ok := e.root.(*callNode)
	return ok && c.fn.name == "SelectUniqueValue"
}

package expr

import (
	"fmt"
	"strings"
)

// maxDepth bounds the nesting of function calls, so that hostile input
// cannot exhaust the stack.
const maxDepth = 100

// Expr is a parsed expression, ready to be evaluated any number of times. It
// is immutable and safe for concurrent use.
type Expr struct {
	src  string
	root node
	refs []string
}

// Parse parses src. Every problem, including an unknown function or a wrong
// number of arguments, is reported as a *SyntaxError with its position.
func Parse(src string) (*Expr, error) {
	p := &parser{lx: lexer{src: []rune(src)}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tokEOF {
		return nil, p.errorf(p.tok.pos, "expected an expression, found end of input")
	}
	root, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEOF {
		return nil, p.errorf(p.tok.pos, "expected end of input, found %s", p.tok.describe())
	}
	if pos, err := checkTopLevel(root); err != nil {
		return nil, p.errorf(pos, "%v", err)
	}
	return &Expr{src: src, root: root, refs: collectRefs(root)}, nil
}

// MustParse is like Parse but panics on error. It is meant for expressions
// that are constants in Go code, such as defaults and tests.
func MustParse(src string) *Expr {
	e, err := Parse(src)
	if err != nil {
		panic(err)
	}
	return e
}

// String returns the source the expression was parsed from.
func (e *Expr) String() string { return e.src }

// References returns the names of the attributes the expression reads, each
// once (compared case-insensitively), in order of first appearance. A
// directory search can request exactly these.
func (e *Expr) References() []string { return append([]string(nil), e.refs...) }

type parser struct {
	lx  lexer
	tok token
}

func (p *parser) errorf(pos int, format string, args ...any) *SyntaxError {
	return newSyntaxError(p.lx.src, pos, fmt.Sprintf(format, args...))
}

func (p *parser) advance() error {
	t, err := p.lx.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

// expr parses a concatenation optionally followed by a comparison.
func (p *parser) expr(depth int) (node, error) {
	left, err := p.concat(depth)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokCompare {
		return left, nil
	}
	op := p.tok
	if err := p.advance(); err != nil {
		return nil, err
	}
	right, err := p.concat(depth)
	if err != nil {
		return nil, err
	}
	if p.tok.kind == tokCompare {
		return nil, p.errorf(p.tok.pos, "expected one comparison only, found a second %s; nest it in a function such as IIF", p.tok.describe())
	}
	return &compareNode{pos: op.pos, op: op.text, left: left, right: right}, nil
}

// concat parses operands joined by "&", which binds tighter than a
// comparison, as in Visual Basic: "t-" & [alias] = [x] compares the joined
// text with [x].
func (p *parser) concat(depth int) (node, error) {
	left, err := p.operand(depth)
	if err != nil || p.tok.kind != tokConcat {
		return left, err
	}
	c := &callNode{pos: p.tok.pos, fn: concatFunction, args: []node{left}}
	for p.tok.kind == tokConcat {
		if err := p.advance(); err != nil {
			return nil, err
		}
		right, err := p.operand(depth)
		if err != nil {
			return nil, err
		}
		c.args = append(c.args, right)
	}
	return c, nil
}

func (p *parser) operand(depth int) (node, error) {
	t := p.tok
	if t.kind == tokIdent && lookupFunction(t.text) == nil {
		if name, ok := enumName(t.text); ok {
			return &litNode{pos: t.pos, val: Str(name)}, p.advance()
		}
	}
	switch t.kind {
	case tokAttr:
		return &attrNode{pos: t.pos, name: t.text}, p.advance()
	case tokString:
		return &litNode{pos: t.pos, val: Str(t.text)}, p.advance()
	case tokNumber:
		return &litNode{pos: t.pos, val: Str(t.text)}, p.advance()
	case tokIdent:
		return p.call(depth)
	}
	return nil, p.errorf(t.pos, "expected an attribute, a string, a number or a function call, found %s", t.describe())
}

func (p *parser) call(depth int) (node, error) {
	name := p.tok
	if depth >= maxDepth {
		return nil, p.errorf(name.pos, "functions nested more than %d deep", maxDepth)
	}
	fn := lookupFunction(name.text)
	if fn == nil {
		return nil, p.errorf(name.pos, "unknown function %q%s", name.text, suggest(name.text))
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind != tokLParen {
		return nil, p.errorf(p.tok.pos, `expected "(" after %s, found %s`, fn.name, p.tok.describe())
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	c := &callNode{pos: name.pos, fn: fn}
	if p.tok.kind == tokRParen {
		if err := p.advance(); err != nil {
			return nil, err
		}
		return c, p.finishCall(c)
	}
	for {
		if p.tok.kind == tokComma || p.tok.kind == tokRParen {
			c.args = append(c.args, &omittedNode{pos: p.tok.pos})
		} else {
			arg, err := p.expr(depth + 1)
			if err != nil {
				return nil, err
			}
			c.args = append(c.args, arg)
		}
		switch p.tok.kind {
		case tokComma:
			if err := p.advance(); err != nil {
				return nil, err
			}
			continue
		case tokRParen:
			if err := p.advance(); err != nil {
				return nil, err
			}
			return c, p.finishCall(c)
		}
		return nil, p.errorf(p.tok.pos, `expected ")" or ",", found %s`, p.tok.describe())
	}
}

// finishCall checks the number of arguments and lets the function prepare
// its constant arguments.
func (p *parser) finishCall(c *callNode) error {
	fn := c.fn
	n := len(c.args)
	if msg := fn.checkArity(n); msg != "" {
		return p.errorf(c.pos, "%s %s, got %d", fn.name, msg, n)
	}
	for i, a := range c.args {
		if isOmitted(a) && !fn.mayOmit(i, n) {
			return p.errorf(a.position(), "%s: argument %d (%s) is required", fn.name, i+1, fn.paramName(i, n))
		}
	}
	if fn.prepare != nil {
		if err := fn.prepare(c); err != nil {
			pos := c.pos
			var pe *prepError
			if asPrepError(err, &pe) && pe.arg < len(c.args) {
				pos = c.args[pe.arg].position()
			}
			return p.errorf(pos, "%s: %v", fn.name, err)
		}
	}
	return nil
}

// suggest proposes the known function whose name is nearest to name: one
// that starts with it or that it starts with, else the closest by edit
// distance when that is small against the name's length.
func suggest(name string) string {
	lower := strings.ToLower(name)
	best, bestDist := "", 0
	for _, fn := range functionList {
		l := strings.ToLower(fn.name)
		if strings.HasPrefix(l, lower) || strings.HasPrefix(lower, l) {
			return fmt.Sprintf(" (did you mean %s?)", fn.name)
		}
		if d := editDistance(lower, l); best == "" || d < bestDist {
			best, bestDist = fn.name, d
		}
	}
	if best != "" && bestDist <= max(1, len([]rune(name))/3) {
		return fmt.Sprintf(" (did you mean %s?)", best)
	}
	return ""
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 {
		return len(ra)
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// collectRefs lists the attributes read under n, once each.
func collectRefs(n node) []string {
	var refs []string
	seen := map[string]bool{}
	var walk func(node)
	walk = func(n node) {
		switch n := n.(type) {
		case *attrNode:
			k := strings.ToLower(n.name)
			if !seen[k] {
				seen[k] = true
				refs = append(refs, n.name)
			}
		case *callNode:
			for _, a := range n.args {
				walk(a)
			}
		case *compareNode:
			walk(n.left)
			walk(n.right)
		}
	}
	walk(n)
	return refs
}

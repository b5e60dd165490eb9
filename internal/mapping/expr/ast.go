package expr

// node is one element of a parsed expression.
type node interface {
	// position returns the 1-based position of the node in the source.
	position() int
}

// attrNode reads an attribute: [name].
type attrNode struct {
	pos  int
	name string
}

// litNode is a string constant or a number.
type litNode struct {
	pos int
	val Value
}

// omittedNode is an argument left empty between commas; it evaluates to null.
type omittedNode struct {
	pos int
}

// callNode calls a function.
type callNode struct {
	pos  int
	fn   *function
	args []node
	// prepared holds what the function's prepare step computed from
	// constant arguments at parse time, such as a compiled regexp.
	prepared any
}

// compareNode compares two operands: left op right.
type compareNode struct {
	pos         int
	op          string
	left, right node
}

func (n *attrNode) position() int    { return n.pos }
func (n *litNode) position() int     { return n.pos }
func (n *omittedNode) position() int { return n.pos }
func (n *callNode) position() int    { return n.pos }
func (n *compareNode) position() int { return n.pos }

// constString returns the value of a string or number constant argument.
func constString(n node) (string, bool) {
	if l, ok := n.(*litNode); ok {
		return l.val.String(), true
	}
	return "", false
}

// isOmitted reports whether the argument was left empty.
func isOmitted(n node) bool {
	_, ok := n.(*omittedNode)
	return ok
}

package expr

import (
	"errors"
	"fmt"
)

// SyntaxError reports an expression that cannot be parsed, including an
// unknown function name or a wrong number of arguments.
type SyntaxError struct {
	// Pos is the 1-based position of the problem, counted in characters
	// from the start of the expression. For a one-line expression it is
	// the column.
	Pos int
	// Line and Column locate Pos in a multi-line expression; both are 1-based.
	Line, Column int
	// Msg says what was expected and what was found.
	Msg string
}

// Error returns the message with its position, such as
// `expr: at column 17: expected ")" or ",", found end of input`.
func (e *SyntaxError) Error() string {
	if e.Line > 1 {
		return fmt.Sprintf("expr: at line %d, column %d: %s", e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("expr: at column %d: %s", e.Column, e.Msg)
}

func newSyntaxError(src []rune, pos int, msg string) *SyntaxError {
	line, col := 1, 1
	for i := 0; i < pos-1 && i < len(src); i++ {
		if src[i] == '\n' {
			line++
			col = 1
			continue
		}
		col++
	}
	return &SyntaxError{Pos: pos, Line: line, Column: col, Msg: msg}
}

// EvalError reports a function that could not compute its result.
type EvalError struct {
	// Func is the canonical name of the function, such as "Left".
	Func string
	// Pos is the 1-based position of the call in the expression.
	Pos int
	// Err is the cause.
	Err error
}

// Error returns a message naming the function and the cause.
func (e *EvalError) Error() string {
	return fmt.Sprintf("expr: %s at position %d: %v", e.Func, e.Pos, e.Err)
}

// Unwrap returns the cause.
func (e *EvalError) Unwrap() error { return e.Err }

// ErrNotInteger is wrapped by evaluation errors for arguments that must be
// integers and are not.
var ErrNotInteger = errors.New("not an integer")

// ErrMultiValued is wrapped by evaluation errors for arguments that must be
// single strings and hold several values.
var ErrMultiValued = errors.New("multi-valued")

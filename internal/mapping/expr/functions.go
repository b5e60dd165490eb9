package expr

import (
	"errors"
	"fmt"
	"strings"
)

// function describes one function of the language: its canonical name, its
// parameters and how it is evaluated.
type function struct {
	name string
	// params names the parameters, for messages. A name starting with "?"
	// may be left empty (omitted) in a call. When variadic is set the last
	// parameter may repeat.
	params   []string
	variadic bool
	// arity, when set, replaces the default check of the argument count
	// derived from params; it returns what is expected, or "".
	arity func(n int) string
	// paramsFor, when set, names the parameters for a call with n
	// arguments, for functions whose optional parameters are in the middle.
	paramsFor func(n int) []string
	// prepare, when set, checks and precomputes constant arguments at
	// parse time.
	prepare func(c *callNode) error
	// eval computes the result. It must not panic on any input.
	eval func(ev *evaluator, c *callNode) (Value, error)
}

// functionList holds every function, in the order of the documentation.
// It is filled by init functions in the functions_*.go files.
var functionList []*function

var functionIndex = map[string]*function{}

func register(fns ...*function) {
	for _, fn := range fns {
		functionList = append(functionList, fn)
		functionIndex[strings.ToLower(fn.name)] = fn
	}
}

// lookupFunction finds a function by its case-insensitive name.
func lookupFunction(name string) *function {
	return functionIndex[strings.ToLower(name)]
}

// Functions returns the canonical names of the supported functions.
func Functions() []string {
	names := make([]string, len(functionList))
	for i, fn := range functionList {
		names[i] = fn.name
	}
	return names
}

func (fn *function) paramList(n int) []string {
	if fn.paramsFor != nil {
		return fn.paramsFor(n)
	}
	return fn.params
}

// checkArity returns what is expected when n arguments are wrong, or "".
func (fn *function) checkArity(n int) string {
	if fn.arity != nil {
		return fn.arity(n)
	}
	// Trailing optional parameters may be left out entirely.
	minArgs := len(fn.params)
	for minArgs > 0 && strings.HasPrefix(fn.params[minArgs-1], "?") {
		minArgs--
	}
	switch {
	case fn.variadic && n < minArgs:
		return fmt.Sprintf("takes at least %s", plural(minArgs, "argument"))
	case fn.variadic:
		return ""
	case n < minArgs || n > len(fn.params):
		if minArgs == len(fn.params) {
			return fmt.Sprintf("takes %s", plural(minArgs, "argument"))
		}
		return fmt.Sprintf("takes %d to %s", minArgs, plural(len(fn.params), "argument"))
	}
	return ""
}

// paramName returns the name of the i-th (0-based) argument of a call with
// n arguments.
func (fn *function) paramName(i, n int) string {
	ps := fn.paramList(max(n, i+1))
	if len(ps) == 0 {
		return "argument"
	}
	if i >= len(ps) {
		i = len(ps) - 1
	}
	return strings.TrimPrefix(ps[i], "?")
}

// mayOmit reports whether argument i of a call with n arguments may be left
// empty.
func (fn *function) mayOmit(i, n int) bool {
	ps := fn.paramList(n)
	if len(ps) == 0 {
		return false
	}
	if i >= len(ps) {
		if !fn.variadic {
			return false
		}
		i = len(ps) - 1
	}
	return strings.HasPrefix(ps[i], "?")
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// prepError is returned by prepare functions to point at one argument.
type prepError struct {
	arg int
	err error
}

func (e *prepError) Error() string { return e.err.Error() }

func argError(arg int, format string, args ...any) error {
	return &prepError{arg: arg, err: fmt.Errorf(format, args...)}
}

func asPrepError(err error, target **prepError) bool { return errors.As(err, target) }

package expr

import "fmt"

func init() {
	register(
		&function{name: "Switch", params: []string{"source", "?defaultValue", "key", "value"}, variadic: true,
			arity: func(n int) string {
				switch {
				case n < 4 && n != 3:
					return "takes a source, a default value and key/value pairs (an even number of arguments, at least 4)"
				case n%2 == 1 && n != 5:
					return "takes an even number of arguments: a source, a default value (which may be left empty) and key/value pairs"
				}
				return ""
			},
			paramsFor: func(n int) []string {
				ps := []string{"source", "?defaultValue"}
				if n%2 == 1 {
					ps = []string{"source"}
				}
				for len(ps) < n {
					ps = append(ps, "key", "value")
				}
				return ps
			},
			eval: evalSwitch},
		&function{name: "IIF", params: []string{"condition", "valueIfTrue", "valueIfFalse"}, eval: evalIIF},
		&function{name: "Coalesce", params: []string{"source", "?source"}, variadic: true, eval: evalCoalesce},
		&function{name: "IsPresent", params: []string{"expression"}, eval: evalPresence(true)},
		&function{name: "IsNullOrEmpty", params: []string{"expression"}, eval: evalPresence(false)},
		&function{name: "IsNull", params: []string{"expression"}, eval: evalIsNull},
		&function{name: "Not", params: []string{"source"}, eval: evalNot},
	)
}

// evalSwitch implements Switch(source, defaultValue, key1, value1, ...).
//
// Keys are compared with the source exactly, case-sensitively: the key
// "True" does not match the source "TRUE". A boolean source reads as
// "True" or "False". A null source matches the key "", which is how a
// missing value is caught, and otherwise gives defaultValue. A source
// matching no key gives defaultValue, which is null when omitted. Only the
// chosen value is evaluated.
//
// Switch takes an even number of arguments. One odd form is accepted: five
// arguments, as the Entra portal displays its default "active" mapping,
// Switch([IsSoftDeleted], "False", "True", "True", "False"): the portal
// drops the empty default of Switch([IsSoftDeleted], , "False", "True",
// "True", "False"). In that form the pairs start right after the source and
// the first key also serves as the default. Microsoft refuses it; usersync
// accepts it because administrators copy it from the portal.
func evalSwitch(ev *evaluator, c *callNode) (Value, error) {
	src, err := ev.eval(c.args[0])
	if err != nil {
		return Null(), err
	}
	s, _, err := scalar(c, 0, src)
	if err != nil {
		return Null(), err
	}
	first, def := 2, c.args[1]
	if len(c.args)%2 == 1 {
		first = 1
	}
	for i := first; i+1 < len(c.args); i += 2 {
		key, err := ev.eval(c.args[i])
		if err != nil {
			return Null(), err
		}
		k, knull, err := scalar(c, i, key)
		if err != nil {
			return Null(), err
		}
		if knull {
			continue
		}
		if k == s {
			return ev.eval(c.args[i+1])
		}
	}
	return ev.eval(def)
}

// evalIIF implements IIF(condition, valueIfTrue, valueIfFalse). The
// condition must be a boolean or the string "True" or "False" (in any
// case); null counts as false. Only the chosen branch is evaluated.
func evalIIF(ev *evaluator, c *callNode) (Value, error) {
	cond, err := ev.eval(c.args[0])
	if err != nil {
		return Null(), err
	}
	if cond.IsNull() {
		return ev.eval(c.args[2])
	}
	b, ok := cond.AsBool()
	if !ok {
		return Null(), fail(c, "condition is %s, expected True or False", describeValue(cond))
	}
	if b {
		return ev.eval(c.args[1])
	}
	return ev.eval(c.args[2])
}

// evalCoalesce implements Coalesce(source1, ..., defaultValue): the first
// argument that is not null, or null. Arguments after it are not evaluated.
func evalCoalesce(ev *evaluator, c *callNode) (Value, error) {
	for _, a := range c.args {
		v, err := ev.eval(a)
		if err != nil {
			return Null(), err
		}
		if !v.IsNull() {
			return v, nil
		}
	}
	return Null(), nil
}

// evalPresence implements IsPresent (want true) and IsNullOrEmpty (want
// false). A value is present when it is not null and not the empty string;
// a list is present when one of its elements is.
func evalPresence(want bool) func(*evaluator, *callNode) (Value, error) {
	return func(ev *evaluator, c *callNode) (Value, error) {
		v, err := ev.eval(c.args[0])
		if err != nil {
			return Null(), err
		}
		present := false
		for _, s := range v.Strings() {
			if s != "" {
				present = true
				break
			}
		}
		return Bool(present == want), nil
	}
}

// evalIsNull implements IsNull(expression): true when the value is null.
func evalIsNull(ev *evaluator, c *callNode) (Value, error) {
	v, err := ev.eval(c.args[0])
	if err != nil {
		return Null(), err
	}
	return Bool(v.IsNull()), nil
}

// evalNot implements Not(source) as Entra documents it: True when the
// source is not true (including null and any non-boolean text), False when
// it is.
func evalNot(ev *evaluator, c *callNode) (Value, error) {
	v, err := ev.eval(c.args[0])
	if err != nil {
		return Null(), err
	}
	if _, _, err := scalar(c, 0, v); err != nil {
		return Null(), err
	}
	b, ok := v.AsBool()
	return Bool(!(ok && b)), nil
}

func describeValue(v Value) string {
	switch v.Kind() {
	case KindString:
		return fmt.Sprintf("the string %s", quote(v.String()))
	case KindList:
		return fmt.Sprintf("a list of %d values", len(v.list))
	}
	return v.Kind().String()
}

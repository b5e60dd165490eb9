package expr

import "strings"

func init() {
	register(
		&function{name: "Split", params: []string{"source", "delimiter"}, eval: evalSplit},
		&function{name: "Item", params: []string{"attribute", "index"}, eval: evalItem},
		&function{name: "Count", params: []string{"attribute"}, eval: evalCount},
	)
}

// evalSplit implements Split(source, delimiter): the parts of source between
// occurrences of delimiter, as a list. Parts are not trimmed. An empty
// delimiter gives a list holding source; a null source gives null.
func evalSplit(ev *evaluator, c *callNode) (Value, error) {
	vals, err := ev.args(c)
	if err != nil {
		return Null(), err
	}
	s, null, err := scalar(c, 0, vals[0])
	if err != nil || null {
		return Null(), err
	}
	delim, _, err := scalar(c, 1, vals[1])
	if err != nil {
		return Null(), err
	}
	if delim == "" {
		return List([]string{s}), nil
	}
	return List(strings.Split(s, delim)), nil
}

// evalItem implements Item(attribute, index) with a 1-based index, as Entra
// documents it. An index below 1 or past the last value gives null, and so
// does a null attribute. A single value is item 1.
func evalItem(ev *evaluator, c *callNode) (Value, error) {
	vals, err := ev.args(c)
	if err != nil {
		return Null(), err
	}
	idx, err := integer(c, 1, vals[1])
	if err != nil {
		return Null(), err
	}
	items := vals[0].Strings()
	if idx < 1 || idx > int64(len(items)) {
		return Null(), nil
	}
	return Str(items[idx-1]), nil
}

// evalCount implements Count(attribute): the number of values, 0 for null.
func evalCount(ev *evaluator, c *callNode) (Value, error) {
	v, err := ev.eval(c.args[0])
	if err != nil {
		return Null(), err
	}
	n := len(v.Strings())
	return Str(itoa(n)), nil
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

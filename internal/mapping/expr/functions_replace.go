package expr

import (
	"regexp"
	"strings"
)

// Positions of Replace's parameters in its seven-argument form.
const (
	replSource = iota
	replOldValue
	replRegexPattern
	replRegexGroupName
	replReplacementValue
	replReplacementAttributeName
	replTemplate
)

func init() {
	register(&function{
		name: "Replace",
		params: []string{"source", "?oldValue", "?regexPattern", "?regexGroupName",
			"?replacementValue", "?replacementAttributeName", "?template"},
		arity: func(n int) string {
			if n != 3 && n != 7 {
				return "takes 7 arguments (source, oldValue, regexPattern, regexGroupName, replacementValue, replacementAttributeName, template) or the shorthand 3 (source, oldValue, replacementValue)"
			}
			return ""
		},
		paramsFor: func(n int) []string {
			if n == 3 {
				return []string{"source", "oldValue", "replacementValue"}
			}
			return []string{"source", "?oldValue", "?regexPattern", "?regexGroupName",
				"?replacementValue", "?replacementAttributeName", "?template"}
		},
		prepare: prepareReplace,
		eval:    evalReplace,
	})
}

// replacePrep is what prepareReplace computes from constant arguments.
type replacePrep struct {
	re *regexp.Regexp
}

// prepareReplace rejects combinations of arguments Entra does not define
// and compiles a constant regexPattern once.
func prepareReplace(c *callNode) error {
	if len(c.args) == 3 {
		return nil
	}
	a := c.args
	hasOld, hasRe := !isOmitted(a[replOldValue]), !isOmitted(a[replRegexPattern])
	hasGroup, hasRepl, hasTmpl := !isOmitted(a[replRegexGroupName]), !isOmitted(a[replReplacementValue]), !isOmitted(a[replTemplate])
	hasAttr := !isOmitted(a[replReplacementAttributeName])
	switch {
	case hasAttr && (!hasRe || !hasGroup):
		return argError(replReplacementAttributeName, "replacementAttributeName needs a regexPattern and a regexGroupName")
	case hasAttr && (hasOld || hasRepl || hasTmpl):
		return argError(replReplacementAttributeName, "replacementAttributeName goes with regexPattern and regexGroupName only")
	case hasAttr:
	case hasOld && hasRe:
		return argError(replRegexPattern, "give either oldValue or regexPattern, not both")
	case hasOld && hasRepl && hasTmpl:
		return argError(replTemplate, "give either replacementValue or template with oldValue, not both")
	case hasOld && !hasRepl && !hasTmpl:
		return argError(replReplacementValue, "oldValue needs a replacementValue or a template")
	case hasOld && hasGroup:
		return argError(replRegexGroupName, "regexGroupName needs a regexPattern, not an oldValue")
	case hasRe && !hasRepl && !hasAttr:
		return argError(replReplacementValue, "regexPattern needs a replacementValue")
	case hasRe && hasTmpl:
		return argError(replTemplate, "template goes with oldValue, not with regexPattern")
	case !hasOld && !hasRe:
		return argError(replOldValue, "give oldValue or regexPattern")
	}
	if pat, ok := constString(a[replRegexPattern]); ok {
		re, err := regexp.Compile(pat)
		if err != nil {
			return argError(replRegexPattern, "invalid regexPattern: %v", err)
		}
		if g, ok := constString(a[replRegexGroupName]); ok && re.SubexpIndex(g) < 0 {
			return argError(replRegexGroupName, "regexPattern has no group named %q", g)
		}
		c.prepared = &replacePrep{re: re}
	}
	return nil
}

// evalReplace implements Replace. Matching is case-sensitive, as in Entra.
//
//   - oldValue and replacementValue: every oldValue in source becomes
//     replacementValue. The shorthand Replace(source, oldValue,
//     replacementValue) means the same.
//   - oldValue and template: every oldValue in template becomes source.
//   - regexPattern and replacementValue: every match becomes
//     replacementValue, in which $1 and ${name} refer to groups.
//   - regexPattern, regexGroupName and replacementValue: within every match,
//     the text of the named group becomes replacementValue.
//   - regexPattern, regexGroupName and replacementAttributeName: a source
//     that is neither null nor empty is returned as it is; otherwise the
//     result is the named group of the first match of regexPattern in the
//     replacement attribute, or null when it does not match.
//
// A null source gives null. An empty oldValue replaces nothing.
// Regular expressions use Go's RE2 syntax, which accepts (?<name>...) like
// .NET but has no lookaround or backreferences.
func evalReplace(ev *evaluator, c *callNode) (Value, error) {
	vals, err := ev.args(c)
	if err != nil {
		return Null(), err
	}
	short := len(vals) == 3
	if short {
		vals = []Value{vals[0], vals[1], Null(), Null(), vals[2], Null(), Null()}
	}
	useOld := short || !isOmitted(c.args[replOldValue])
	useTemplate := !short && !isOmitted(c.args[replTemplate])
	useGroup := !short && !isOmitted(c.args[replRegexGroupName])
	strs := make([]string, len(vals))
	for i := 1; i < len(vals); i++ {
		s, _, err := scalar(c, i, vals[i])
		if err != nil {
			return Null(), err
		}
		strs[i] = s
	}
	if !short && !isOmitted(c.args[replReplacementAttributeName]) {
		return replaceFromAttribute(c, vals[replSource], strs)
	}
	if vals[replSource].IsNull() {
		return Null(), nil
	}
	if useOld {
		old := strs[replOldValue]
		if useTemplate {
			src, _, err := scalar(c, replSource, vals[replSource])
			if err != nil {
				return Null(), err
			}
			if old == "" {
				return Str(strs[replTemplate]), nil
			}
			return Str(strings.ReplaceAll(strs[replTemplate], old, src)), nil
		}
		return mapStrings(vals[replSource], func(s string) string {
			if old == "" {
				return s
			}
			return strings.ReplaceAll(s, old, strs[replReplacementValue])
		}), nil
	}
	re, err := replaceRegexp(c, strs[replRegexPattern])
	if err != nil {
		return Null(), err
	}
	repl := strs[replReplacementValue]
	if !useGroup {
		return mapStrings(vals[replSource], func(s string) string { return re.ReplaceAllString(s, repl) }), nil
	}
	group := re.SubexpIndex(strs[replRegexGroupName])
	if group < 0 {
		return Null(), fail(c, "regexPattern has no group named %q", strs[replRegexGroupName])
	}
	return mapStrings(vals[replSource], func(s string) string { return replaceGroup(re, group, s, repl) }), nil
}

func replaceRegexp(c *callNode, pattern string) (*regexp.Regexp, error) {
	if p, ok := c.prepared.(*replacePrep); ok && p.re != nil {
		return p.re, nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fail(c, "invalid regexPattern: %w", err)
	}
	return re, nil
}

// replaceGroup replaces, in every match of re in s, the text of group with
// repl.
func replaceGroup(re *regexp.Regexp, group int, s, repl string) string {
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
		gs, ge := m[2*group], m[2*group+1]
		if gs < 0 || gs < last {
			continue
		}
		b.WriteString(s[last:gs])
		b.WriteString(repl)
		last = ge
	}
	b.WriteString(s[last:])
	return b.String()
}

// replaceFromAttribute is Replace with a replacementAttributeName: the
// source when it has a value, else the regexGroupName group of the first
// match of regexPattern in the replacement attribute.
func replaceFromAttribute(c *callNode, src Value, strs []string) (Value, error) {
	for _, s := range src.Strings() {
		if s != "" {
			return src, nil
		}
	}
	re, err := replaceRegexp(c, strs[replRegexPattern])
	if err != nil {
		return Null(), err
	}
	group := re.SubexpIndex(strs[replRegexGroupName])
	if group < 0 {
		return Null(), fail(c, "regexPattern has no group named %q", strs[replRegexGroupName])
	}
	m := re.FindStringSubmatch(strs[replReplacementAttributeName])
	if m == nil {
		return Null(), nil
	}
	return Str(m[group]), nil
}

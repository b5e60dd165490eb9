package expr

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

func init() {
	register(
		&function{name: "FormatDateTime", params: []string{"source", "?dateTimeStyles", "inputFormat", "outputFormat"},
			arity: func(n int) string {
				if n != 3 && n != 4 {
					return "takes 4 arguments (source, dateTimeStyles, inputFormat, outputFormat) or 3 (source, inputFormat, outputFormat)"
				}
				return ""
			},
			paramsFor: func(n int) []string {
				if n == 3 {
					return []string{"source", "inputFormat", "outputFormat"}
				}
				return []string{"source", "?dateTimeStyles", "inputFormat", "outputFormat"}
			},
			prepare: prepareFormatDateTime,
			eval:    evalFormatDateTime},
		&function{name: "DateFromNum", params: []string{"value"}, eval: evalDateFromNum},
	)
}

// dateTimeStyles are the .NET DateTimeStyles names FormatDateTime accepts.
var dateTimeStyles = map[string]bool{
	"none": true, "allowleadingwhite": true, "allowtrailingwhite": true, "allowinnerwhite": true,
	"allowwhitespaces": true, "nocurrentdatedefault": true, "adjusttouniversal": true,
	"assumelocal": true, "assumeuniversal": true, "roundtripkind": true,
}

// dtStyles is what FormatDateTime does with its dateTimeStyles argument.
type dtStyles struct {
	toUniversal, assumeUniversal bool
}

// parseStyles reads a list of DateTimeStyles names separated by commas or
// "|". White space handling is always lenient at both ends; local time is
// taken to be UTC, since the service has no user time zone.
func parseStyles(s string) (dtStyles, error) {
	var st dtStyles
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '|' }) {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(part), "DateTimeStyles.")))
		name = strings.TrimPrefix(name, "datetimestyles.")
		if !dateTimeStyles[name] {
			return st, fmt.Errorf("unknown dateTimeStyles value %q", strings.TrimSpace(part))
		}
		switch name {
		case "adjusttouniversal":
			st.toUniversal = true
		case "assumeuniversal", "assumelocal":
			st.assumeUniversal = true
		}
	}
	return st, nil
}

// fdtArgs returns the positions of FormatDateTime's styles, inputFormat and
// outputFormat arguments; styles is -1 in the 3-argument form.
func fdtArgs(n int) (styles, in, out int) {
	if n == 3 {
		return -1, 1, 2
	}
	return 1, 2, 3
}

// prepareFormatDateTime checks constant formats and styles at parse time.
func prepareFormatDateTime(c *callNode) error {
	styles, in, out := fdtArgs(len(c.args))
	if styles >= 0 {
		if s, ok := constString(c.args[styles]); ok {
			if _, err := parseStyles(s); err != nil {
				return argError(styles, "%v", err)
			}
		}
	}
	for _, i := range []int{in, out} {
		if s, ok := constString(c.args[i]); ok {
			if _, err := parseDotNetFormat(s); err != nil {
				return argError(i, "%s: %v", c.fn.paramName(i, len(c.args)), err)
			}
		}
	}
	return nil
}

// evalFormatDateTime implements FormatDateTime(source, dateTimeStyles,
// inputFormat, outputFormat) with .NET custom format strings, for example
// FormatDateTime([whenCreated], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd"). The
// dateTimeStyles argument may be omitted, or the call may have 3 arguments.
// A null source gives null; a source that does not match inputFormat is an
// error.
func evalFormatDateTime(ev *evaluator, c *callNode) (Value, error) {
	vals, err := ev.args(c)
	if err != nil {
		return Null(), err
	}
	stylesAt, in, out := fdtArgs(len(c.args))
	strs := make([]string, len(vals))
	nulls := make([]bool, len(vals))
	for i, v := range vals {
		if strs[i], nulls[i], err = scalar(c, i, v); err != nil {
			return Null(), err
		}
	}
	if nulls[0] {
		return Null(), nil
	}
	var st dtStyles
	if stylesAt >= 0 && !nulls[stylesAt] {
		if st, err = parseStyles(strs[stylesAt]); err != nil {
			return Null(), fail(c, "%w", err)
		}
	}
	inToks, err := parseDotNetFormat(strs[in])
	if err != nil {
		return Null(), fail(c, "inputFormat: %w", err)
	}
	outToks, err := parseDotNetFormat(strs[out])
	if err != nil {
		return Null(), fail(c, "outputFormat: %w", err)
	}
	dt, err := parseDotNet(strs[0], inToks, st.assumeUniversal)
	if err != nil {
		return Null(), fail(c, "source %w (inputFormat %s)", err, quote(strs[in]))
	}
	if st.toUniversal {
		dt = dotnetTime{t: dt.t.UTC(), kind: zoneUTC}
	}
	return Str(formatDotNet(dt, outToks)), nil
}

// entraDateLayout is the format Entra's date functions return,
// "M/d/yyyy h:mm:ss tt".
var entraDateLayout, _ = parseDotNetFormat("M/d/yyyy h:mm:ss tt")

// fileTimeEpoch is the start of Active Directory's FILETIME count.
var fileTimeEpoch = time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC)

// evalDateFromNum implements DateFromNum(value): an Active Directory
// FILETIME (100-nanosecond intervals since 1601-01-01 UTC, as in
// lastLogonTimestamp or accountExpires) becomes a UTC date in Entra's
// "M/d/yyyy h:mm:ss tt" form, so DateFromNum(129699324000000000) is
// "1/1/2012 11:00:00 PM". The values 0 and 9223372036854775807, which AD
// uses for "never", give null, as does a null value.
func evalDateFromNum(ev *evaluator, c *callNode) (Value, error) {
	v, err := ev.eval(c.args[0])
	if err != nil {
		return Null(), err
	}
	s, null, err := scalar(c, 0, v)
	if err != nil || null {
		return Null(), err
	}
	ticks, perr := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if perr != nil {
		return Null(), fail(c, "value %s is not a FILETIME number: %w", quote(s), ErrNotInteger)
	}
	if ticks < 0 {
		return Null(), fail(c, "value %d is negative", ticks)
	}
	if ticks == 0 || ticks == 1<<63-1 {
		return Null(), nil
	}
	// Add whole days first: the full range does not fit in a time.Duration.
	secs := ticks / 1e7
	t := fileTimeEpoch.AddDate(0, 0, int(secs/86400)).
		Add(time.Duration(secs%86400)*time.Second + time.Duration(ticks%1e7)*100)
	if t.Year() > 9999 {
		return Null(), fail(c, "value %d is after the year 9999", ticks)
	}
	return Str(formatDotNet(dotnetTime{t: t, kind: zoneUTC}, entraDateLayout)), nil
}

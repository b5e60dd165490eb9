package expr

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// now is the clock Now and DateDiff read; tests replace it.
var now = time.Now

func init() {
	register(
		&function{name: "CDate", params: []string{"expression"}, eval: evalCDate},
		&function{name: "DateAdd", params: []string{"interval", "value", "dateTime"}, eval: evalDateAdd},
		&function{name: "DateDiff", params: []string{"interval", "date1", "date2"}, eval: evalDateDiff},
		&function{name: "Now", eval: evalNow},
		&function{name: "NumFromDate", params: []string{"value"}, eval: evalNumFromDate},
		&function{name: "Guid", eval: evalGuid},
		&function{name: "RandomString", params: []string{"length", "minimumNumbers", "minimumSpecialCharacters", "minimumCapital", "minimumLowerCase", "?charactersToAvoid"}, eval: evalRandomString},
	)
}

// dateLayouts are the forms a date argument may take, tried in order: the
// form Entra's date functions return (M/d/yyyy h:mm:ss tt, in UTC), ISO
// 8601 with or without a time and an offset (2012-03-16-07:00 is midnight
// at UTC-7), and an LDAP generalized time. A form without an offset is UTC.
var dateLayouts = []string{
	"1/2/2006 3:04:05 PM",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02Z07:00",
	"2006-01-02",
	"20060102150405.999999999Z0700",
	"20060102150405.999999999Z",
	"20060102150405Z",
}

// parseDate reads a date argument in one of dateLayouts and returns it in
// UTC.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%s is not a date such as 2012-03-16-07:00, 2009-06-15T01:45:30Z or 3/16/2012 7:00:00 AM", quote(s))
}

// formatEntraDate prints t in UTC as Entra's date functions do,
// "M/d/yyyy h:mm:ss tt".
func formatEntraDate(t time.Time) string {
	return t.UTC().Format("1/2/2006 3:04:05 PM")
}

// dateArg evaluates argument i as a date. null reports a null argument.
func dateArg(c *callNode, i int, v Value) (t time.Time, null bool, err error) {
	s, null, err := scalar(c, i, v)
	if err != nil || null {
		return time.Time{}, null, err
	}
	t, perr := parseDate(s)
	if perr != nil {
		return time.Time{}, false, fail(c, "argument %d (%s): %w", i+1, c.fn.paramName(i, len(c.args)), perr)
	}
	return t, false, nil
}

// evalCDate implements CDate(expression): the date in UTC in the form
// "M/d/yyyy h:mm:ss tt", so CDate("2021-06-30+08:00") is
// "6/29/2021 4:00:00 PM". A null value gives null.
func evalCDate(ev *evaluator, c *callNode) (Value, error) {
	v, err := ev.eval(c.args[0])
	if err != nil {
		return Null(), err
	}
	t, null, err := dateArg(c, 0, v)
	if err != nil || null {
		return Null(), err
	}
	return Str(formatEntraDate(t)), nil
}

// evalNow implements Now(): the current UTC time as "M/d/yyyy h:mm:ss tt".
func evalNow(ev *evaluator, c *callNode) (Value, error) {
	return Str(formatEntraDate(now())), nil
}

// interval checks a DateAdd or DateDiff interval: yyyy (year), m (month),
// d (day), ww (week), h (hour), n (minute) or s (second).
func interval(c *callNode, v Value) (string, error) {
	s, _, err := scalar(c, 0, v)
	if err != nil {
		return "", err
	}
	switch s {
	case "yyyy", "m", "d", "ww", "h", "n", "s":
		return s, nil
	}
	return "", fail(c, "interval %s is not one of yyyy, m, d, ww, h, n, s", quote(s))
}

// addMonths adds n months as .NET does: a day beyond the end of the new
// month becomes its last day (January 31 plus one month is February 28 or
// 29).
func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	total := int(m) - 1 + n
	ny, nm := y+total/12, total%12
	if nm < 0 {
		nm += 12
		ny--
	}
	month := time.Month(nm + 1)
	d = min(d, daysIn(ny, month))
	return time.Date(ny, month, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// evalDateAdd implements DateAdd(interval, value, dateTime): dateTime moved
// by value intervals (negative values go back), in Entra's date form.
func evalDateAdd(ev *evaluator, c *callNode) (Value, error) {
	vals, err := ev.args(c)
	if err != nil {
		return Null(), err
	}
	iv, err := interval(c, vals[0])
	if err != nil {
		return Null(), err
	}
	n, err := integer(c, 1, vals[1])
	if err != nil {
		return Null(), err
	}
	t, null, err := dateArg(c, 2, vals[2])
	if err != nil || null {
		return Null(), err
	}
	if n > 1e6 || n < -1e6 {
		return Null(), fail(c, "argument 2 (value) %d is out of range", n)
	}
	k := int(n)
	switch iv {
	case "yyyy":
		t = addMonths(t, 12*k)
	case "m":
		t = addMonths(t, k)
	case "d":
		t = t.AddDate(0, 0, k)
	case "ww":
		t = t.AddDate(0, 0, 7*k)
	case "h":
		t = t.Add(time.Duration(k) * time.Hour)
	case "n":
		t = t.Add(time.Duration(k) * time.Minute)
	case "s":
		t = t.Add(time.Duration(k) * time.Second)
	}
	if t.Year() < 1 || t.Year() > 9999 {
		return Null(), fail(c, "the result is outside the years 1 to 9999")
	}
	return Str(formatEntraDate(t)), nil
}

// evalDateDiff implements DateDiff(interval, date1, date2): how many
// intervals date2 is after date1 (negative when before), in UTC, as Visual
// Basic counts them: years, months and weeks count the calendar boundaries
// crossed (weeks start on Sunday); days, hours, minutes and seconds count
// whole elapsed units.
func evalDateDiff(ev *evaluator, c *callNode) (Value, error) {
	vals, err := ev.args(c)
	if err != nil {
		return Null(), err
	}
	iv, err := interval(c, vals[0])
	if err != nil {
		return Null(), err
	}
	t1, null1, err := dateArg(c, 1, vals[1])
	if err != nil {
		return Null(), err
	}
	t2, null2, err := dateArg(c, 2, vals[2])
	if err != nil {
		return Null(), err
	}
	if null1 || null2 {
		return Null(), nil
	}
	var n int64
	switch iv {
	case "yyyy":
		n = int64(t2.Year() - t1.Year())
	case "m":
		n = int64((t2.Year()-t1.Year())*12 + int(t2.Month()) - int(t1.Month()))
	case "ww":
		n = (dayNumber(t2) - int64(t2.Weekday()) - (dayNumber(t1) - int64(t1.Weekday()))) / 7
	case "d":
		n = int64(t2.Sub(t1) / (24 * time.Hour))
	case "h":
		n = int64(t2.Sub(t1) / time.Hour)
	case "n":
		n = int64(t2.Sub(t1) / time.Minute)
	case "s":
		n = int64(t2.Sub(t1) / time.Second)
	}
	return Str(strconv.FormatInt(n, 10)), nil
}

// dayNumber counts the days from 2000-01-01 to t's date, negative before.
func dayNumber(t time.Time) int64 {
	y, m, d := t.Date()
	return int64(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Sub(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)) / (24 * time.Hour))
}

// evalNumFromDate implements NumFromDate(value): an ISO 8601 date as an
// Active Directory FILETIME, the count of 100-nanosecond intervals since
// 1601-01-01 UTC that accountExpires holds. A null value gives null.
func evalNumFromDate(ev *evaluator, c *callNode) (Value, error) {
	v, err := ev.eval(c.args[0])
	if err != nil {
		return Null(), err
	}
	t, null, err := dateArg(c, 0, v)
	if err != nil || null {
		return Null(), err
	}
	secs := t.Unix() - fileTimeEpoch.Unix()
	if secs < 0 {
		return Null(), fail(c, "value is before 1601-01-01")
	}
	return Str(strconv.FormatInt(secs*1e7+int64(t.Nanosecond()/100), 10)), nil
}

// evalGuid implements Guid(): a new random (version 4) GUID in its
// lower-case 8-4-4-4-12 form.
func evalGuid(ev *evaluator, c *callNode) (Value, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return Null(), fail(c, "no randomness: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return Str(fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])), nil
}

// The character classes of RandomString, those of Windows password
// complexity.
const (
	randDigits  = "0123456789"
	randSpecial = "~!@#$%^&*_-+=`|\\(){}[]:;\"'<>,.?/"
	randUpper   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	randLower   = "abcdefghijklmnopqrstuvwxyz"
)

// evalRandomString implements RandomString(length, minimumNumbers,
// minimumSpecialCharacters, minimumCapital, minimumLowerCase,
// charactersToAvoid): length random characters (256 at most) holding at
// least the minimum count of each class, none of charactersToAvoid, from a
// cryptographic source. Minimums that add up to more than length are an
// error.
func evalRandomString(ev *evaluator, c *callNode) (Value, error) {
	vals, err := ev.args(c)
	if err != nil {
		return Null(), err
	}
	var nums [5]int64
	for i := range nums {
		if nums[i], err = integer(c, i, vals[i]); err != nil {
			return Null(), err
		}
		if nums[i] < 0 {
			return Null(), fail(c, "argument %d (%s) is %d, expected 0 or more", i+1, c.fn.paramName(i, len(c.args)), nums[i])
		}
	}
	avoid := ""
	if len(vals) > 5 {
		if avoid, _, err = scalar(c, 5, vals[5]); err != nil {
			return Null(), err
		}
	}
	length := nums[0]
	if length < 1 || length > 256 {
		return Null(), fail(c, "argument 1 (length) is %d, expected 1 to 256", length)
	}
	if sum := nums[1] + nums[2] + nums[3] + nums[4]; sum > length {
		return Null(), fail(c, "the minimums add up to %d, more than length %d", sum, length)
	}
	keep := func(set string) string {
		return strings.Map(func(r rune) rune {
			if strings.ContainsRune(avoid, r) {
				return -1
			}
			return r
		}, set)
	}
	classes := []string{keep(randDigits), keep(randSpecial), keep(randUpper), keep(randLower)}
	var out []byte
	for i, set := range classes {
		if nums[i+1] > 0 && set == "" {
			return Null(), fail(c, "charactersToAvoid leaves no character for %s", c.fn.paramName(i+1, len(c.args)))
		}
		for j := int64(0); j < nums[i+1]; j++ {
			ch, err := randomByte(set)
			if err != nil {
				return Null(), fail(c, "no randomness: %w", err)
			}
			out = append(out, ch)
		}
	}
	all := strings.Join(classes, "")
	if all == "" {
		return Null(), fail(c, "charactersToAvoid leaves no character to use")
	}
	for int64(len(out)) < length {
		ch, err := randomByte(all)
		if err != nil {
			return Null(), fail(c, "no randomness: %w", err)
		}
		out = append(out, ch)
	}
	for i := len(out) - 1; i > 0; i-- {
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return Null(), fail(c, "no randomness: %w", err)
		}
		out[i], out[j.Int64()] = out[j.Int64()], out[i]
	}
	return Str(string(out)), nil
}

func randomByte(set string) (byte, error) {
	i, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
	if err != nil {
		return 0, err
	}
	return set[i.Int64()], nil
}

package expr

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// zoneKind tells whether a parsed time carried zone information, like .NET's
// DateTimeKind.
type zoneKind int

const (
	zoneUnspecified zoneKind = iota
	zoneUTC
	zoneOffset
)

// dotnetTime is a time with the zone information .NET keeps.
type dotnetTime struct {
	t    time.Time
	kind zoneKind
}

var (
	monthNames = []string{"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
	dayNames = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
)

// formatDotNet formats dt with tokens from parseDotNetFormat.
func formatDotNet(dt dotnetTime, toks []dtToken) string {
	t := dt.t
	var b strings.Builder
	pad := func(v, width int) { fmt.Fprintf(&b, "%0*d", width, v) }
	for _, tk := range toks {
		switch tk.spec {
		case 0:
			b.WriteString(tk.lit)
		case 'y':
			switch {
			case tk.n == 1:
				b.WriteString(strconv.Itoa(t.Year() % 100))
			case tk.n == 2:
				pad(t.Year()%100, 2)
			default:
				pad(t.Year(), tk.n)
			}
		case 'M':
			switch {
			case tk.n <= 2:
				pad(int(t.Month()), tk.n)
			case tk.n == 3:
				b.WriteString(monthNames[t.Month()-1][:3])
			default:
				b.WriteString(monthNames[t.Month()-1])
			}
		case 'd':
			switch {
			case tk.n <= 2:
				pad(t.Day(), tk.n)
			case tk.n == 3:
				b.WriteString(dayNames[t.Weekday()][:3])
			default:
				b.WriteString(dayNames[t.Weekday()])
			}
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			pad(h, min(tk.n, 2))
		case 'H':
			pad(t.Hour(), min(tk.n, 2))
		case 'm':
			pad(t.Minute(), min(tk.n, 2))
		case 's':
			pad(t.Second(), min(tk.n, 2))
		case 'f', 'F':
			frac := fmt.Sprintf("%07d", t.Nanosecond()/100)[:tk.n]
			if tk.spec == 'F' {
				frac = strings.TrimRight(frac, "0")
				if frac == "" {
					s := b.String()
					if strings.HasSuffix(s, ".") {
						b.Reset()
						b.WriteString(s[:len(s)-1])
					}
				}
			}
			b.WriteString(frac)
		case 't':
			ampm := "AM"
			if t.Hour() >= 12 {
				ampm = "PM"
			}
			b.WriteString(ampm[:min(tk.n, 2)])
		case 'z':
			_, off := t.Zone()
			sign := '+'
			if off < 0 {
				sign, off = '-', -off
			}
			b.WriteRune(sign)
			switch tk.n {
			case 1:
				b.WriteString(strconv.Itoa(off / 3600))
			case 2:
				pad(off/3600, 2)
			default:
				pad(off/3600, 2)
				b.WriteByte(':')
				pad(off%3600/60, 2)
			}
		case 'K':
			switch dt.kind {
			case zoneUTC:
				b.WriteByte('Z')
			case zoneOffset:
				b.WriteString(t.Format("-07:00"))
			}
		case 'g':
			b.WriteString("A.D.")
		}
	}
	return b.String()
}

// dtParser reads a date string according to format tokens.
type dtParser struct {
	s string
	i int
}

func (p *dtParser) digits(minN, maxN int) (int, bool) {
	j := p.i
	for j < len(p.s) && j-p.i < maxN && p.s[j] >= '0' && p.s[j] <= '9' {
		j++
	}
	if j-p.i < minN {
		return 0, false
	}
	v, err := strconv.Atoi(p.s[p.i:j])
	if err != nil {
		return 0, false
	}
	p.i = j
	return v, true
}

func (p *dtParser) name(names []string, abbrev bool) (int, bool) {
	for k, n := range names {
		if abbrev {
			n = n[:3]
		}
		if len(p.s)-p.i >= len(n) && strings.EqualFold(p.s[p.i:p.i+len(n)], n) {
			p.i += len(n)
			return k, true
		}
	}
	return 0, false
}

// offset reads ±h, ±hh or ±hh:mm and returns seconds east of UTC.
func (p *dtParser) offset() (int, bool) {
	if p.i >= len(p.s) || (p.s[p.i] != '+' && p.s[p.i] != '-') {
		return 0, false
	}
	sign := 1
	if p.s[p.i] == '-' {
		sign = -1
	}
	p.i++
	h, ok := p.digits(1, 2)
	if !ok || h > 14 {
		return 0, false
	}
	m := 0
	if p.i < len(p.s) && p.s[p.i] == ':' {
		p.i++
		if m, ok = p.digits(2, 2); !ok || m > 59 {
			return 0, false
		}
	} else if mm, ok := p.digits(2, 2); ok {
		m = mm
		if m > 59 {
			return 0, false
		}
	}
	return sign * (h*3600 + m*60), true
}

// parseDotNet parses s with format tokens, like .NET's
// DateTime.ParseExact with leading and trailing white space allowed. Fields
// the format lacks default to 0001-01-01 00:00:00.
func parseDotNet(s string, toks []dtToken, assumeUTC bool) (dotnetTime, error) {
	p := &dtParser{s: strings.TrimSpace(s)}
	year, month, day, hour, minute, sec, nsec := 1, 1, 1, 0, 0, 0, 0
	pm, hasAMPM, hour12 := false, false, false
	kind, off := zoneUnspecified, 0
	for _, tk := range toks {
		ok := true
		switch tk.spec {
		case 0:
			if strings.HasPrefix(p.s[p.i:], tk.lit) {
				p.i += len(tk.lit)
			} else {
				ok = false
			}
		case 'y':
			switch {
			case tk.n <= 2:
				var y int
				if y, ok = p.digits(1, 2); ok {
					year = 1900 + y
					if y < 30 {
						year = 2000 + y
					}
				}
			default:
				year, ok = p.digits(tk.n, max(tk.n, 4))
			}
		case 'M':
			switch {
			case tk.n <= 2:
				month, ok = p.digits(tk.n, 2)
			default:
				var k int
				k, ok = p.name(monthNames, tk.n == 3)
				month = k + 1
			}
		case 'd':
			if tk.n <= 2 {
				day, ok = p.digits(tk.n, 2)
			} else {
				_, ok = p.name(dayNames, tk.n == 3)
			}
		case 'h', 'H':
			hour, ok = p.digits(min(tk.n, 2), 2)
			hour12 = hour12 || tk.spec == 'h'
		case 'm':
			minute, ok = p.digits(min(tk.n, 2), 2)
		case 's':
			sec, ok = p.digits(min(tk.n, 2), 2)
		case 'f', 'F':
			minN := tk.n
			if tk.spec == 'F' {
				minN = 0
			}
			start := p.i
			var f int
			if f, ok = p.digits(minN, tk.n); ok {
				for k := p.i - start; k < 9; k++ {
					f *= 10
				}
				nsec = f
			}
		case 't':
			want := min(tk.n, 2)
			rest := strings.ToUpper(p.s[p.i:])
			switch {
			case strings.HasPrefix(rest, "AM"[:want]):
				hasAMPM = true
			case strings.HasPrefix(rest, "PM"[:want]):
				hasAMPM, pm = true, true
			default:
				ok = false
			}
			p.i += want
		case 'z':
			if off, ok = p.offset(); ok {
				kind = zoneOffset
			}
		case 'K':
			switch {
			case p.i < len(p.s) && (p.s[p.i] == 'Z' || p.s[p.i] == 'z'):
				p.i++
				kind = zoneUTC
			case p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-'):
				if off, ok = p.offset(); ok {
					kind = zoneOffset
				}
			}
		case 'g':
			_, ok = p.name([]string{"A.D.", "AD"}, false)
		}
		if !ok {
			return dotnetTime{}, fmt.Errorf("%s does not match the date format at character %d", quote(s), p.i+1)
		}
	}
	if p.i != len(p.s) {
		return dotnetTime{}, fmt.Errorf("%s has unexpected text %s after the date", quote(s), quote(p.s[p.i:]))
	}
	if hasAMPM || hour12 {
		if hour < 1 || hour > 12 {
			if hour12 || hour > 12 {
				return dotnetTime{}, fmt.Errorf("%s has hour %d, expected 1 to 12 with AM/PM", quote(s), hour)
			}
		}
		if hasAMPM {
			hour %= 12
			if pm {
				hour += 12
			}
		}
	}
	if month < 1 || month > 12 || day < 1 || day > daysIn(year, time.Month(month)) ||
		hour > 23 || minute > 59 || sec > 59 || year < 1 || year > 9999 {
		return dotnetTime{}, fmt.Errorf("%s is not a valid date", quote(s))
	}
	loc := time.UTC
	switch kind {
	case zoneOffset:
		loc = time.FixedZone("", off)
	case zoneUnspecified:
		if assumeUTC {
			kind = zoneUTC
		}
	}
	return dotnetTime{t: time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc), kind: kind}, nil
}

func daysIn(year int, m time.Month) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// Package spec parses connection schedules: five-field cron expressions
// ("0 0 * * *") and intervals ("@every 15m"), evaluated in a time zone.
//
// It uses github.com/robfig/cron/v3's parser rather than its own: cron
// syntax has many corners (ranges, steps, names, day-of-month OR
// day-of-week, daylight-saving gaps) that a well-used parser already gets
// right. Only the parser and the Next computation are used; the scheduler
// loop is usersync's own, because it must arbitrate firings through the
// store across instances.
package spec

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Default is the schedule of a connection that names none: nightly at
// midnight.
const Default = "0 0 * * *"

// Off is the schedule of a connection that only runs when asked to.
const Off = "off"

// DefaultMinInterval is the shortest interval a schedule may have unless its
// connection lowers the floor: it keeps usersync from hammering a directory.
const DefaultMinInterval = 5 * time.Minute

var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Spec is a parsed schedule.
type Spec struct {
	expr  string
	loc   *time.Location
	sched cron.Schedule // nil when Off
	every time.Duration // > 0 for @every
}

// ErrTimeZone marks an unknown time zone, so callers can name the field.
var ErrTimeZone = errors.New("unknown time zone")

// Parse parses a schedule in a time zone (an IANA name such as
// "Europe/Berlin"; empty means the server's local zone). An empty expr is
// Default.
func Parse(expr, tz string) (Spec, error) {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		expr = Default
	}
	loc := time.Local
	if tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil {
			return Spec{}, fmt.Errorf("%w %q: %w", ErrTimeZone, tz, err)
		}
		loc = l
	}
	s := Spec{expr: expr, loc: loc}
	if strings.EqualFold(expr, Off) {
		return s, nil
	}
	if strings.HasPrefix(expr, "CRON_TZ=") || strings.HasPrefix(expr, "TZ=") {
		return Spec{}, fmt.Errorf("put the time zone in \"timeZone\", not in the expression %q", expr)
	}
	if strings.HasPrefix(expr, "@every") {
		d, err := time.ParseDuration(strings.TrimSpace(strings.TrimPrefix(expr, "@every")))
		if err != nil || d < time.Second {
			return Spec{}, fmt.Errorf("%q: @every needs a duration of at least 1s such as \"@every 15m\"", expr)
		}
		s.every = d
	}
	sched, err := parser.Parse(expr)
	if err != nil {
		return Spec{}, fmt.Errorf("%q is not a 5-field cron expression (minute hour day-of-month month day-of-week) or @every DURATION: %w", expr, err)
	}
	if ss, ok := sched.(*cron.SpecSchedule); ok {
		ss.Location = loc
	}
	s.sched = sched
	return s, nil
}

// MustParse is Parse for tests and constants; it panics on error.
func MustParse(expr, tz string) Spec {
	s, err := Parse(expr, tz)
	if err != nil {
		panic(err)
	}
	return s
}

// String is the expression as written (Default when none was).
func (s Spec) String() string { return s.expr }

// Location is the time zone the schedule is evaluated in.
func (s Spec) Location() *time.Location { return s.loc }

// IsOff reports whether the schedule never fires.
func (s Spec) IsOff() bool { return s.sched == nil }

// Next returns the first firing strictly after t, in the schedule's zone,
// or the zero time for Off. An interval's firings are the multiples of it
// since the zero time, not counted from t: instances sharing a store start
// at different instants, and each must compute the same firing so that
// exactly one of them claims it.
func (s Spec) Next(t time.Time) time.Time {
	if s.sched == nil {
		return time.Time{}
	}
	if s.every > 0 {
		return t.Truncate(s.every).Add(s.every).In(s.loc)
	}
	return s.sched.Next(t.In(s.loc))
}

// MinInterval is the shortest gap between two firings. For a cron
// expression it is measured over a year of firings (at most 20,000 of
// them), which covers every field's cycle.
func (s Spec) MinInterval() time.Duration {
	if s.sched == nil {
		return 0
	}
	if s.every > 0 {
		return s.every
	}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, s.loc)
	end := start.AddDate(1, 0, 0)
	prev := s.sched.Next(start)
	minGap := time.Duration(0)
	for i := 0; i < 20000 && !prev.IsZero() && prev.Before(end); i++ {
		next := s.sched.Next(prev)
		if next.IsZero() {
			break
		}
		if gap := next.Sub(prev); minGap == 0 || gap < minGap {
			minGap = gap
		}
		prev = next
	}
	return minGap
}

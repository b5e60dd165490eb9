package connection

import (
	"errors"
	"fmt"
	"time"

	"github.com/usersync/usersync/internal/schedule/spec"
)

// The schedule fields of a connection document:
//
//	"schedule":    a 5-field cron expression ("0 0 * * *"), an interval
//	               ("@every 15m") or "off"; empty means nightly at midnight
//	"timeZone":    an IANA zone the cron expression is read in; empty means
//	               the server's zone
//	"minInterval": lowers (or raises) the floor a schedule may not beat,
//	               default 5m, a Go duration
//	"live":        follow the directory continuously while the scheduler
//	               runs (syncrepl on OpenLDAP, uSNChanged polling on AD); the
//	               schedule still runs full reconciliations

// DefaultIntervalFloor is the server-wide minimum interval between two
// scheduled runs of one connection, unless the operator lowers it: no
// connection's minInterval may go below it, so that nobody who may edit a
// connection can make it hammer the directory every second.
const DefaultIntervalFloor = time.Minute

// CheckIntervalFloor refuses a minInterval below the server's floor,
// naming the field.
func (c Connection) CheckIntervalFloor(floor time.Duration) error {
	if c.MinInterval == "" {
		return nil
	}
	d, err := c.MinimumInterval()
	if err != nil || d >= floor {
		return nil // Validate reports a malformed minInterval
	}
	return &ValidationError{Problems: []FieldError{{Field: "minInterval", Message: fmt.Sprintf(
		"%s is below this server's minimum interval of %s; choose at least %s (the operator may lower the floor with --min-interval-floor)",
		c.MinInterval, floor, floor)}}}
}

// ScheduleSpec parses the connection's schedule in its time zone.
func (c Connection) ScheduleSpec() (spec.Spec, error) {
	if c.IsSCIM() {
		return spec.Parse("off", c.TimeZone) // its client decides when it pushes
	}
	return spec.Parse(c.Schedule, c.TimeZone)
}

// MinimumInterval is the connection's floor for its schedule.
func (c Connection) MinimumInterval() (time.Duration, error) {
	if c.MinInterval == "" {
		return spec.DefaultMinInterval, nil
	}
	d, err := time.ParseDuration(c.MinInterval)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("must be a positive duration such as \"5m\" or \"30s\", got %q", c.MinInterval)
	}
	return d, nil
}

func (c Connection) validateSchedule() []FieldError {
	var probs []FieldError
	floor, err := c.MinimumInterval()
	if err != nil {
		probs = append(probs, FieldError{Field: "minInterval", Message: err.Error()})
	}
	s, err := c.ScheduleSpec()
	switch {
	case errors.Is(err, spec.ErrTimeZone):
		probs = append(probs, FieldError{Field: "timeZone", Message: err.Error()})
	case err != nil:
		probs = append(probs, FieldError{Field: "schedule", Message: err.Error()})
	case floor > 0 && !s.IsOff() && s.MinInterval() < floor:
		probs = append(probs, FieldError{Field: "schedule", Message: fmt.Sprintf(
			"%q runs every %s, more often than the minimum interval of %s that protects the directory; choose a longer interval, or lower the floor for this connection with \"minInterval\"",
			s.String(), s.MinInterval(), floor)})
	}
	return probs
}

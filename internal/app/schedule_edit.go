package app

import (
	"context"
	"errors"
	"strings"

	"github.com/usersync/usersync/internal/schedule/spec"
)

// SetSchedule changes when a connection runs: its schedule (a cron
// expression, "@every DURATION" or "off") and its time zone. The rest of
// the connection, its password included, stays as it is. A bad schedule or
// time zone is a FieldError naming it, and changes nothing.
func (a *App) SetSchedule(ctx context.Context, name, expr, tz string) (err error) {
	expr, tz = strings.TrimSpace(expr), strings.TrimSpace(tz)
	if _, err := spec.Parse(expr, tz); err != nil {
		if errors.Is(err, spec.ErrTimeZone) {
			return &FieldError{Field: "timeZone", Msg: "timeZone: " + err.Error(), Err: err}
		}
		return &FieldError{Field: "schedule", Msg: "schedule: " + err.Error(), Err: err}
	}
	c, _, err := a.Store.GetConnection(ctx, name)
	if err != nil {
		return err
	}
	before := c.Schedule + " " + c.TimeZone
	c.Schedule, c.TimeZone = expr, tz
	if _, _, err := a.PutConnection(ctx, c); err != nil {
		return err
	}
	a.Audit(ctx, AuditScheduleEdit, "connection "+name, strings.TrimSpace(before)+" → "+strings.TrimSpace(expr+" "+tz))
	return nil
}

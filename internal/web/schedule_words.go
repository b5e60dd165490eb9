package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// scheduleForm is a schedule as the Schedules page edits it, in words:
// Kind is "daily", "weekdays", "every" (minutes), "off" or "cron".
type scheduleForm struct {
	Kind    string
	At      string // HH:MM for daily and weekdays
	Minutes int    // for every
	Cron    string // the expression itself, for cron
}

// scheduleExpr turns the words into the schedule expression a connection
// stores; a bad time or interval is an error naming its field.
func (f scheduleForm) scheduleExpr() (string, error) {
	switch f.Kind {
	case "daily", "weekdays":
		t, err := time.Parse("15:04", strings.TrimSpace(f.At))
		if err != nil {
			return "", badRequest("at", "at: give the time as HH:MM, such as 00:00 or 18:30")
		}
		expr := fmt.Sprintf("%d %d * * *", t.Minute(), t.Hour())
		if f.Kind == "weekdays" {
			expr = fmt.Sprintf("%d %d * * 1-5", t.Minute(), t.Hour())
		}
		return expr, nil
	case "every":
		if f.Minutes < 1 || f.Minutes > 7*24*60 {
			return "", badRequest("minutes", "minutes: give a number of minutes from 1 to 10080")
		}
		return fmt.Sprintf("@every %dm", f.Minutes), nil
	case "off":
		return "off", nil
	case "cron":
		return strings.TrimSpace(f.Cron), nil
	}
	return "", badRequest("kind", fmt.Sprintf("kind: %q is not a kind of schedule", f.Kind))
}

// scheduleFormOf reads a stored expression back into words when it has
// one of their shapes, and as cron otherwise.
func scheduleFormOf(expr string) scheduleForm {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		expr = "0 0 * * *"
	}
	if strings.EqualFold(expr, "off") {
		return scheduleForm{Kind: "off", At: "00:00", Minutes: 60}
	}
	if d, ok := strings.CutPrefix(expr, "@every "); ok {
		if dur, err := time.ParseDuration(strings.TrimSpace(d)); err == nil && dur%time.Minute == 0 && dur > 0 {
			return scheduleForm{Kind: "every", Minutes: int(dur / time.Minute), At: "00:00"}
		}
	}
	f := strings.Fields(expr)
	if len(f) == 5 && f[2] == "*" && f[3] == "*" && (f[4] == "*" || f[4] == "1-5") {
		m, err1 := strconv.Atoi(f[0])
		h, err2 := strconv.Atoi(f[1])
		if err1 == nil && err2 == nil && m >= 0 && m < 60 && h >= 0 && h < 24 {
			kind := "daily"
			if f[4] == "1-5" {
				kind = "weekdays"
			}
			return scheduleForm{Kind: kind, At: fmt.Sprintf("%02d:%02d", h, m), Minutes: 60}
		}
	}
	return scheduleForm{Kind: "cron", Cron: expr, At: "00:00", Minutes: 60}
}

// scheduleWords says a schedule in words with its time zone, such as
// "every day at 00:00, Europe/Rome".
func scheduleWords(expr, tz string) string {
	if tz == "" {
		tz = time.Local.String()
	}
	f := scheduleFormOf(expr)
	switch f.Kind {
	case "off":
		return "off: runs only when asked to"
	case "every":
		if f.Minutes%60 == 0 {
			h := f.Minutes / 60
			if h == 1 {
				return "every hour"
			}
			return fmt.Sprintf("every %d hours", h)
		}
		return fmt.Sprintf("every %d minutes", f.Minutes)
	case "daily":
		return "every day at " + f.At + ", " + tz
	case "weekdays":
		return "Monday to Friday at " + f.At + ", " + tz
	}
	return "cron " + f.Cron + ", " + tz
}

func init() {
	funcs["scheduleWords"] = scheduleWords
	funcs["scheduleForm"] = scheduleFormOf
}

// scheduleEditSubmit saves a schedule given in words (or as cron) and its
// time zone.
func (s *Server) scheduleEditSubmit(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	f := scheduleForm{Kind: r.PostFormValue("kind"), At: r.PostFormValue("at"), Cron: r.PostFormValue("cron")}
	if v := strings.TrimSpace(r.PostFormValue("minutes")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			n = -1
		}
		f.Minutes = n
	}
	expr, err := f.scheduleExpr()
	if err == nil {
		err = s.app.SetSchedule(r.Context(), name, expr, r.PostFormValue("timeZone"))
	}
	if err != nil {
		_, e := classify(err)
		s.redirectFlash(w, r, "/schedules", flashError, name+": "+e.Message)
		return nil
	}
	c, _, err := s.st.GetConnection(r.Context(), name)
	if err != nil {
		return err
	}
	s.redirectFlash(w, r, "/schedules", flashDone, name+" now runs "+scheduleWords(c.Schedule, c.TimeZone)+".")
	return nil
}

func init() {
	// zones are time zones the schedule editor suggests; any IANA name
	// is accepted.
	funcs["zones"] = func() []string {
		return []string{"UTC", "Europe/London", "Europe/Berlin", "Europe/Rome", "Europe/Paris", "Europe/Madrid",
			"America/New_York", "America/Chicago", "America/Los_Angeles", "America/Sao_Paulo",
			"Asia/Tokyo", "Asia/Singapore", "Asia/Kolkata", "Australia/Sydney"}
	}
}

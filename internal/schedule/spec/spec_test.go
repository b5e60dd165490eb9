package spec

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	from := time.Date(2025, 3, 10, 14, 7, 30, 0, time.UTC)
	tests := []struct {
		expr, tz string
		next     time.Time
		min      time.Duration
		err      string
	}{
		{"", "UTC", time.Date(2025, 3, 11, 0, 0, 0, 0, time.UTC), 24 * time.Hour, ""},
		{"0 0 * * *", "Europe/Berlin", time.Date(2025, 3, 11, 0, 0, 0, 0, berlin), 23 * time.Hour, ""}, // the spring DST night is 23 h
		{"*/15 * * * *", "UTC", time.Date(2025, 3, 10, 14, 15, 0, 0, time.UTC), 15 * time.Minute, ""},
		{"* * * * *", "UTC", time.Date(2025, 3, 10, 14, 8, 0, 0, time.UTC), time.Minute, ""},
		{"30 2 * * mon-fri", "UTC", time.Date(2025, 3, 11, 2, 30, 0, 0, time.UTC), 24 * time.Hour, ""},
		{"@every 15m", "UTC", time.Date(2025, 3, 10, 14, 15, 0, 0, time.UTC), 15 * time.Minute, ""},
		{"@daily", "UTC", time.Date(2025, 3, 11, 0, 0, 0, 0, time.UTC), 24 * time.Hour, ""},
		{"off", "UTC", time.Time{}, 0, ""},
		{"0 0 * *", "UTC", time.Time{}, 0, "5-field cron"},
		{"0 0 0 * * *", "UTC", time.Time{}, 0, "5-field cron"},
		{"@every soon", "UTC", time.Time{}, 0, "@every needs a duration"},
		{"0 0 * * *", "Mars/Olympus", time.Time{}, 0, "unknown time zone"},
		{"CRON_TZ=UTC 0 0 * * *", "", time.Time{}, 0, "timeZone"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			s, err := Parse(tt.expr, tt.tz)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Parse error = %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Next(from); !got.Equal(tt.next) {
				t.Errorf("Next = %v, want %v", got, tt.next)
			}
			if got := s.MinInterval(); got != tt.min {
				t.Errorf("MinInterval = %v, want %v", got, tt.min)
			}
		})
	}
	if _, err := Parse("0 0 * * *", "Nowhere/Land"); !errors.Is(err, ErrTimeZone) {
		t.Fatalf("unknown zone error = %v, want ErrTimeZone", err)
	}
}

// Two instances on one store start at different instants; an interval's
// next firing must not depend on which one computes it, or both claim a
// firing of their own and the connection runs twice.
func TestEveryIsAlignedAcrossInstances(t *testing.T) {
	for _, expr := range []string{"@every 2s", "@every 15m", "@every 7m"} {
		s, err := Parse(expr, "Europe/Berlin")
		if err != nil {
			t.Fatal(err)
		}
		d := s.MinInterval()
		a := time.Date(2025, 3, 10, 14, 0, 0, 0, time.UTC).Truncate(d).Add(d / 10)
		b := a.Add(d / 2)
		if na, nb := s.Next(a), s.Next(b); !na.Equal(nb) || !na.After(b) || na.Sub(a) > d {
			t.Errorf("%s: Next(%s) = %s, Next(%s) = %s; want the same firing within one interval", expr, a, na, b, nb)
		}
		// A firing's successor is exactly one interval later.
		n := s.Next(a)
		if got := s.Next(n); got.Sub(n) != d {
			t.Errorf("%s: Next(%s) = %s, want %s later", expr, n, got, d)
		}
	}
}

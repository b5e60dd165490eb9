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
		{"@every 15m", "UTC", from.Add(15 * time.Minute), 15 * time.Minute, ""},
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

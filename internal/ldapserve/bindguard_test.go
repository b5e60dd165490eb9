package ldapserve

import (
	"testing"
	"time"
)

// Password guessing against a service account is slowed after a few
// failures, with a wait that doubles, but never locks the account out.
func TestBindGuessingIsSlowed(t *testing.T) {
	const delay = time.Second
	f := newFixture(t, func(c *Config) { c.BindDelay = delay })
	c := f.dial(t, false)
	var last time.Duration
	for i := 1; i <= freeBindFailures+2; i++ {
		start := time.Now()
		if err := c.Bind(f.accountDN, "wrong-guess-"+itoaSmall(i)); err == nil {
			t.Fatal("a wrong password bound")
		}
		last = time.Since(start)
		if i <= freeBindFailures && last >= delay {
			t.Errorf("failure %d waited %s before the free failures were spent", i, last)
		}
	}
	if last < 2*delay {
		t.Errorf("the seventh failure waited %s, want at least %s (doubling)", last, 2*delay)
	}
	start := time.Now()
	if err := c.Bind(f.accountDN, f.password); err != nil {
		t.Fatalf("the right password after failures: %v", err)
	}
	if d := time.Since(start); d >= delay {
		t.Errorf("the right password waited %s", d)
	}
	start = time.Now()
	_ = c.Bind(f.accountDN, "wrong-again")
	if d := time.Since(start); d >= delay {
		t.Errorf("a success did not reset the count: the next failure waited %s", d)
	}
}

func itoaSmall(i int) string { return string(rune('0' + i)) }

package samba

import (
	"errors"
	"fmt"
	"testing"
)

// recorder is a testing.TB that records Skip and Fatal instead of acting.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper()                      {}
func (r *recorder) Skipf(f string, args ...any)  { r.skipped = fmt.Sprintf(f, args...) }
func (r *recorder) Fatalf(f string, args ...any) { r.failed = fmt.Sprintf(f, args...) }

func TestRequireSambaSkipsOnlyOutsideCI(t *testing.T) {
	saved := available
	t.Cleanup(func() { available = saved })
	available = func() error { return errors.New("samba: samba not found") }

	t.Setenv("USERSYNC_INTEGRATION", "")
	r := &recorder{TB: t}
	requireSamba(r)
	if r.skipped == "" || r.failed != "" {
		t.Errorf("without USERSYNC_INTEGRATION: skipped %q, failed %q; want a skip", r.skipped, r.failed)
	}

	t.Setenv("USERSYNC_INTEGRATION", "1")
	r = &recorder{TB: t}
	requireSamba(r)
	if r.failed == "" || r.skipped != "" {
		t.Errorf("with USERSYNC_INTEGRATION=1: skipped %q, failed %q; want a failure", r.skipped, r.failed)
	}

	available = func() error { return nil }
	r = &recorder{TB: t}
	requireSamba(r)
	if r.failed != "" || r.skipped != "" {
		t.Errorf("with Samba: skipped %q, failed %q", r.skipped, r.failed)
	}
}

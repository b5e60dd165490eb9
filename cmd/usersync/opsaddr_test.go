package main

import (
	"strings"
	"testing"
)

// The operator endpoint (/metrics, /healthz, /readyz) needs no login and
// names connections: it is served on loopback only, unless --ops-public.
func TestOpsListenStaysOnLoopback(t *testing.T) {
	tests := []struct {
		addr   string
		public bool
		ok     bool
	}{
		{"127.0.0.1:9464", false, true},
		{"[::1]:9464", false, true},
		{"localhost:9464", false, true},
		{"127.0.0.2:9464", false, true},
		{":9464", false, false},
		{"0.0.0.0:9464", false, false},
		{"[::]:9464", false, false},
		{"192.0.2.10:9464", false, false},
		{"metrics.example.com:9464", false, false},
		{"0.0.0.0:9464", true, true},
	}
	for _, tc := range tests {
		err := checkOpsAddress(tc.addr, tc.public)
		if (err == nil) != tc.ok {
			t.Errorf("checkOpsAddress(%q, public=%v) = %v, want ok=%v", tc.addr, tc.public, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "--ops-public") {
			t.Errorf("refusal does not say how to allow it: %v", err)
		}
	}
	c := newCLI(t)
	for _, args := range [][]string{{"run-scheduler", "--ops-listen", "0.0.0.0:0"}, {"serve", "--ops-listen", "0.0.0.0:0", "--listen", "127.0.0.1:0"}} {
		out, code := c.run(args...)
		if code != 2 || !strings.Contains(out, "not a loopback address") {
			t.Errorf("%s: %d %s", strings.Join(args, " "), code, out)
		}
	}
}

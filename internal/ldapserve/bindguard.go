package ldapserve

import (
	"strings"
	"sync"
	"time"
)

// The bind guard slows password guessing against a service account: after
// freeBindFailures failed binds for one DN, each further failure is
// answered only after a wait that doubles, up to maxBindWait. It never
// locks the account: the right password still binds at once, and resets
// the count, so an attacker cannot lock an IP phone out of its directory.
// (The LDAP library does not tell the client's address, so failures are
// counted per DN only.) A DN forgets its failures after bindFailureMemory
// of quiet, and the number of DNs remembered is bounded.
const (
	freeBindFailures  = 5
	maxBindWait       = 8 * time.Second
	bindFailureMemory = 15 * time.Minute
	maxBindDNs        = 10000
)

type bindGuard struct {
	mu    sync.Mutex
	base  time.Duration
	fails map[string]*bindFailures
}

type bindFailures struct {
	n    int
	last time.Time
}

// failed records a failed bind and returns how long to wait before
// answering it.
func (g *bindGuard) failed(dn string) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	if g.fails == nil {
		g.fails = map[string]*bindFailures{}
	}
	key := strings.ToLower(dn)
	f := g.fails[key]
	if f == nil || now.Sub(f.last) > bindFailureMemory {
		if len(g.fails) >= maxBindDNs {
			for k, old := range g.fails {
				if now.Sub(old.last) > bindFailureMemory || len(g.fails) >= maxBindDNs {
					delete(g.fails, k)
				}
				if len(g.fails) < maxBindDNs {
					break
				}
			}
		}
		f = &bindFailures{}
		g.fails[key] = f
	}
	f.n++
	f.last = now
	if f.n <= freeBindFailures {
		return 0
	}
	wait := g.base << min(f.n-freeBindFailures-1, 16)
	return min(wait, maxBindWait)
}

// succeeded forgets a DN's failures.
func (g *bindGuard) succeeded(dn string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.fails, strings.ToLower(dn))
}

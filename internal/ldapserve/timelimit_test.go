package ldapserve

import (
	"context"
	"testing"
	"time"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/store"
)

// slowStore answers a read of whole connections only when its context
// ends, like a database stuck behind a lock.
type slowStore struct{ Store }

func (s slowStore) ListUsers(ctx context.Context, _ store.UserQuery) ([]store.User, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// "size and time limits (server-side caps and the client's)": a search
// that outlives the smaller of the two ends with timeLimitExceeded.
func TestTimeLimits(t *testing.T) {
	tests := []struct {
		name       string
		serverCap  time.Duration
		clientSecs int
		within     time.Duration
	}{
		{"server cap", 300 * time.Millisecond, 0, 2 * time.Second},
		{"client limit", time.Minute, 1, 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, func(c *Config) {
				c.Store = slowStore{c.Store}
				c.MaxTime = tt.serverCap
			})
			c := f.dial(t, true)
			start := time.Now()
			_, err := c.Search(ldapv3.NewSearchRequest(testBase, ldapv3.ScopeWholeSubtree, ldapv3.NeverDerefAliases, 0, tt.clientSecs, false,
				"(cn=*)", nil, nil))
			if code(err) != ldapv3.LDAPResultTimeLimitExceeded {
				t.Fatalf("err = %v, want timeLimitExceeded", err)
			}
			if d := time.Since(start); d > tt.within {
				t.Errorf("answered after %s, want within %s", d, tt.within)
			}
		})
	}
}

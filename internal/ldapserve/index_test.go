package ldapserve

import (
	"context"
	"sync/atomic"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/store"
)

// scanCounter passes every call to the real store and counts the reads of
// whole connections.
type scanCounter struct {
	Store
	scans atomic.Int32
}

func (s *scanCounter) ListUsers(ctx context.Context, q store.UserQuery) ([]store.User, error) {
	s.scans.Add(1)
	return s.Store.ListUsers(ctx, q)
}

// "filters on indexed fields answered from the store's indexes (no full
// scan for (uid=x) or (mail=x))".
func TestIndexedFiltersDoNotScan(t *testing.T) {
	var counter *scanCounter
	f := newFixture(t, func(c *Config) {
		counter = &scanCounter{Store: c.Store}
		c.Store = counter
	})
	c := f.dial(t, true)
	tests := []struct {
		filter string
		want   int
		scan   bool
	}{
		{"(uid=alice)", 1, false},
		{"(UID=ALICE)", 1, false},
		{"(mail=ALICE@example.com)", 1, false},
		{"(&(objectClass=inetOrgPerson)(mail=bob@example.com)(!(uid=alice)))", 1, false},
		{"(uid=carol)", 0, false}, // inactive: found by the index, then left out
		{"(uid=mallory)", 0, false},
		{"(|(uid=alice)(uid=bob))", 2, true},
		{"(cn=Alice*)", 1, true},
	}
	for _, tt := range tests {
		counter.scans.Store(0)
		res, err := search(c, testBase, ldapv3.ScopeWholeSubtree, tt.filter, "uid")
		if err != nil {
			t.Fatalf("%s: %v", tt.filter, err)
		}
		if len(res.Entries) != tt.want {
			t.Errorf("%s: %v, want %d entries", tt.filter, dns(res), tt.want)
		}
		if scanned := counter.scans.Load() > 0; scanned != tt.scan {
			t.Errorf("%s: read whole connections = %v, want %v", tt.filter, scanned, tt.scan)
		}
	}
}

package scimpush

import (
	"context"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/store"
)

// RFC 9110 section 10.2.3: Retry-After is delay-seconds or an HTTP-date.
func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"7", 7 * time.Second}, {"0", 0}, {"-3", 0}, {"soon", 0},
		{"Wed, 02 Dec 2026 08:00:30 GMT", 30 * time.Second},
		{"Wed, 02 Dec 2026 07:00:00 GMT", 0}, // in the past: no wait
	} {
		if got := parseRetryAfter(tc.in, now); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// requestsPerSecond spaces the requests of one target.
func TestLimiterSpacesRequests(t *testing.T) {
	l := &Limiter{Rate: 10}
	var total time.Duration
	sleep := func(_ context.Context, d time.Duration) error { total += d; return nil }
	for i := 0; i < 5; i++ {
		if err := l.Wait(context.Background(), sleep); err != nil {
			t.Fatal(err)
		}
	}
	// Five requests at ten a second: the last waits about 400ms.
	if total < 900*time.Millisecond || total > 1100*time.Millisecond {
		t.Fatalf("waited %s in all for 5 requests at 10/s, want about 1s (0+100+200+300+400ms)", total)
	}
}

// Push mappings use the mapping language of sources, expressions included;
// an empty value means the attribute is absent, and an injected value is
// sent as data, never as a path.
func TestPushMappingsWithExpressions(t *testing.T) {
	am, err := CompileMappings([]mapping.Mapping{
		{Source: "userId", Target: "userName"},
		{Expression: `Join(" ", [firstName], [lastName])`, Target: "displayName"},
		{Source: "department", Target: "enterprise.department", Default: "None"},
		{Source: "email", Target: `emails[type eq "work"].value`},
		{Source: "title", Target: "title"},
	})
	if err != nil {
		t.Fatal(err)
	}
	u := store.User{UserID: `ann"] or [x`, Fields: map[string]string{"firstName": "Ann", "lastName": "Lee", "email": "ann@example.test"}}
	v, err := am.Values(u)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"userName": `ann"] or [x`, "displayName": "Ann Lee", "enterprise.department": "None",
		`emails[type eq "work"].value`: "ann@example.test", "title": ""}
	for k, w := range want {
		if v[k] != w {
			t.Errorf("%s = %q, want %q", k, v[k], w)
		}
	}
	r := NewUser(v, true)
	if r["userName"] != `ann"] or [x` || r[SchemaEnterprise].(map[string]any)["department"] != "None" {
		t.Fatalf("new user = %v", r)
	}
	if _, ok := r["title"]; ok {
		t.Fatalf("an empty title was sent: %v", r)
	}
	if got := escapeFilterValue(`ann"] or [x`); got != `"ann\"] or [x"` {
		t.Fatalf("filter value = %s", got)
	}
	if _, err := CompileMappings([]mapping.Mapping{{Source: "x", Target: "emails[0].value"}}); err == nil {
		t.Fatal("a target that is not a SCIM path was compiled")
	}
}

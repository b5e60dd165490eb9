package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// testSCIMRequests: the SCIM request log keeps what a provisioning client
// sent per connection, finds a user's requests by userName or SCIM id
// (even a PATCH that names the user only by id), pages newest first,
// forgets entries after the retention and with their connection, and never
// keeps an entry for a connection that does not exist.
func testSCIMRequests(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, name := range []string{"entra", "okta"} {
		if err := s.PutConnection(ctx, conn(name), ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddSCIMRequests(ctx, nil); err != nil {
		t.Fatalf("AddSCIMRequests(nil) = %v", err)
	}
	base := time.Date(2026, 3, 1, 10, 0, 0, 123456000, time.UTC)
	entry := func(id, conn, method, path, resource, userName string, at time.Time) store.SCIMRequest {
		return store.SCIMRequest{RequestID: id, Connection: conn, At: at, Method: method, Path: path, Status: 200,
			Duration: 1500 * time.Microsecond, ResourceID: resource, UserName: userName, Body: `{"userName":"` + userName + `"}`}
	}
	entries := []store.SCIMRequest{
		entry("r1", "entra", "GET", `/Users?filter=userName eq "O'Brien@Example.com"`, "", "", base),
		entry("r2", "entra", "POST", "/Users", "id-obrien", "O'Brien@Example.com", base.Add(time.Second)),
		entry("r3", "entra", "PATCH", "/Users/id-obrien", "id-obrien", "", base.Add(2*time.Second)),
		entry("r4", "entra", "POST", "/Users", "id-other", "other@example.com", base.Add(3*time.Second)),
		entry("r5", "okta", "PATCH", "/Users/id-obrien", "id-obrien", "", base.Add(4*time.Second)),
		entry("r6", "gone", "GET", "/Users", "", "", base.Add(5*time.Second)),
	}
	entries[0].Status, entries[1].Status = 200, 201
	if err := s.AddSCIMRequests(ctx, entries); err != nil {
		t.Fatal(err)
	}
	// A request id is unique: a batch that repeats one stores nothing.
	dup := []store.SCIMRequest{entry("r7", "entra", "GET", "/Users", "", "", base), entry("r1", "entra", "GET", "/Groups", "", "", base)}
	if err := s.AddSCIMRequests(ctx, dup); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("AddSCIMRequests with a repeated request id = %v, want ErrConflict", err)
	}
	if _, err := s.SCIMRequestByID(ctx, "r7"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the failed batch left r7 behind: %v", err)
	}

	ids := func(q store.SCIMRequestQuery) []string {
		t.Helper()
		list, err := s.ListSCIMRequests(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range list {
			out = append(out, r.RequestID)
		}
		return out
	}
	for _, tt := range []struct {
		name string
		q    store.SCIMRequestQuery
		want []string
	}{
		{"a connection, newest first", store.SCIMRequestQuery{Connection: "entra"}, []string{"r4", "r3", "r2", "r1"}},
		{"another connection", store.SCIMRequestQuery{Connection: "okta"}, []string{"r5"}},
		{"a connection that does not exist logged nothing", store.SCIMRequestQuery{Connection: "gone"}, nil},
		{"by userName in another case, with the PATCH by id", store.SCIMRequestQuery{Connection: "entra", User: "o'brien@EXAMPLE.com"}, []string{"r3", "r2"}},
		{"by SCIM id", store.SCIMRequestQuery{Connection: "entra", User: "id-obrien"}, []string{"r3", "r2"}},
		{"an injected user matches nobody", store.SCIMRequestQuery{Connection: "entra", User: "' OR '1'='1"}, nil},
		{"an empty-id user does not match every request without an id", store.SCIMRequestQuery{Connection: "entra", User: "nobody"}, nil},
		{"a page", store.SCIMRequestQuery{Connection: "entra", Limit: 2}, []string{"r4", "r3"}},
		{"the next page", store.SCIMRequestQuery{Connection: "entra", Limit: 2, BeforeID: entryID(t, s, "r3")}, []string{"r2", "r1"}},
	} {
		if got := ids(tt.q); !equalStrings(got, tt.want) {
			t.Errorf("%s: ListSCIMRequests(%+v) = %v, want %v", tt.name, tt.q, got, tt.want)
		}
	}

	got, err := s.SCIMRequestByID(ctx, "r2")
	if err != nil {
		t.Fatal(err)
	}
	want := entries[1]
	if got.Connection != "entra" || got.Method != "POST" || got.Path != want.Path || got.Status != 201 || got.Duration != want.Duration ||
		got.ResourceID != "id-obrien" || got.UserName != want.UserName || got.Body != want.Body || !got.At.Equal(want.At) || got.ID == 0 {
		t.Fatalf("SCIMRequestByID(r2) = %+v, want %+v", got, want)
	}
	if _, err := s.SCIMRequestByID(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("SCIMRequestByID(missing) = %v, want ErrNotFound", err)
	}

	n, err := s.PurgeSCIMRequests(ctx, base.Add(1500*time.Millisecond))
	if err != nil || n != 2 {
		t.Fatalf("PurgeSCIMRequests = %d, %v, want 2 (r1, r2)", n, err)
	}
	if got := ids(store.SCIMRequestQuery{Connection: "entra"}); !equalStrings(got, []string{"r4", "r3"}) {
		t.Fatalf("after the purge: %v", got)
	}
	if err := s.DeleteConnection(ctx, "okta"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SCIMRequestByID(ctx, "r5"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the log of a deleted connection stays: %v", err)
	}
}

func entryID(t *testing.T, s store.Store, requestID string) int64 {
	t.Helper()
	r, err := s.SCIMRequestByID(context.Background(), requestID)
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (r *recorder) AddSCIMRequests(ctx context.Context, a1 []store.SCIMRequest) error {
	r.hit("AddSCIMRequests")
	return r.Store.AddSCIMRequests(ctx, a1)
}

func (r *recorder) ListSCIMRequests(ctx context.Context, a1 store.SCIMRequestQuery) ([]store.SCIMRequest, error) {
	r.hit("ListSCIMRequests")
	return r.Store.ListSCIMRequests(ctx, a1)
}

func (r *recorder) SCIMRequestByID(ctx context.Context, a1 string) (store.SCIMRequest, error) {
	r.hit("SCIMRequestByID")
	return r.Store.SCIMRequestByID(ctx, a1)
}

func (r *recorder) PurgeSCIMRequests(ctx context.Context, a1 time.Time) (int, error) {
	r.hit("PurgeSCIMRequests")
	return r.Store.PurgeSCIMRequests(ctx, a1)
}

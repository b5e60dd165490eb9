package msgraph

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/directory"
)

func newReader(f *fakeGraph, mod ...func(*Config)) *Reader {
	cfg := Config{GraphURL: f.srv.URL, HTTP: f.srv.Client(), Token: func(context.Context) (string, error) { return "test-token", nil }}
	for _, m := range mod {
		m(&cfg)
	}
	return New(cfg)
}

func readAll(t *testing.T, r *Reader, base string) ([]*directory.Entry, error) {
	t.Helper()
	var out []*directory.Entry
	err := r.Search(context.Background(), directory.Query{BaseDN: base, Attributes: []string{"givenName", "objectId", "telephoneNumber"}}, func(e *directory.Entry) error {
		out = append(out, e)
		return nil
	})
	return out, err
}

// user-delta: "the initial request ... follow the @odata.nextLink until a
// response carries an @odata.deltaLink"; guests are left out unless
// included; the whole deltaLink is the change token.
func TestFullReadFollowsEveryNextLink(t *testing.T) {
	f := newFakeGraph(t)
	f.on("/v1.0/users/delta", pageOf(next("/v1.0/users/delta?$skiptoken=p2"),
		user("u1", "ann@contoso.test", "givenName", "Ann"), user("g1", "guest_x#EXT#@contoso.test", "userType", "Guest")))
	f.on("/v1.0/users/delta?$skiptoken=p2", pageOf(delta("/v1.0/users/delta?$deltatoken=D1"),
		`{"id":"u2","userPrincipalName":"bob@contoso.test","accountEnabled":false,"businessPhones":["+1 555 0100","+1 555 0101"],"onPremisesExtensionAttributes":{"extensionAttribute1":"x1","extensionAttribute2":null}}`))
	r := newReader(f)
	got, err := readAll(t, r, "users")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].DN != "u1" || got[1].DN != "u2" {
		t.Fatalf("entries = %v", got)
	}
	if got[0].Get("givenName") != "Ann" || got[0].Get("objectId") != "u1" {
		t.Errorf("u1 attrs = %v", got[0].Attrs)
	}
	u2 := got[1]
	if u2.Get("accountEnabled") != "false" || u2.Get("telephoneNumber") != "+1 555 0100" || len(u2.Values("businessPhones")) != 2 ||
		u2.Get("onPremisesExtensionAttributes.extensionAttribute1") != "x1" || u2.Values("onPremisesExtensionAttributes.extensionAttribute2") != nil {
		t.Errorf("u2 attrs = %v", u2.Attrs)
	}
	tok, ok := r.TokenAfterRead()
	if !ok || !strings.Contains(tok, f.srv.URL+"/v1.0/users/delta?$deltatoken=D1") {
		t.Errorf("token = %q %v", tok, ok)
	}
	if sel := f.calls[0]; !strings.HasPrefix(sel, "/v1.0/users/delta") {
		t.Errorf("first call %q", sel)
	}

	// Guests included on request.
	f.on("/v1.0/users/delta", pageOf(delta("/v1.0/users/delta?$deltatoken=D1"), user("g1", "guest_x#EXT#@contoso.test", "userType", "Guest")))
	got, err = readAll(t, newReader(f, func(c *Config) { c.IncludeGuests = true }), "users")
	if err != nil || len(got) != 1 {
		t.Fatalf("with guests: %v %v", got, err)
	}
}

// The $select names Graph properties: Entra mapping aliases become their
// properties, and usersync always reads what identity needs.
func TestSelectForAliases(t *testing.T) {
	got := strings.Split(selectFor([]string{"objectId", "telephoneNumber", "mobile", "onPremisesExtensionAttributes.extensionAttribute3", "extension_abc_costCenter", "givenName", "memberOf"}), ",")
	for _, want := range []string{"id", "userPrincipalName", "accountEnabled", "userType", "businessPhones", "mobilePhone", "onPremisesExtensionAttributes", "extension_abc_costCenter", "givenName"} {
		if !slices.Contains(got, want) {
			t.Errorf("$select %v lacks %s", got, want)
		}
	}
	if slices.Contains(got, "memberOf") || slices.Contains(got, "objectId") {
		t.Errorf("$select %v names a non-Graph property", got)
	}
}

// group-delta: a group's members@delta may be split across pages, the same
// group appearing on several; members@delta entries with @removed leave.
func TestGroupsMergedAcrossPages(t *testing.T) {
	f := newFakeGraph(t)
	f.on("/v1.0/groups/delta", pageOf(next("/v1.0/groups/delta?$skiptoken=g2"),
		`{"id":"G1","displayName":"Sales","members@delta":[{"@odata.type":"#microsoft.graph.user","id":"u1"},{"@odata.type":"#microsoft.graph.user","id":"u2"}]}`,
		`{"id":"G2","displayName":"Empty"}`))
	f.on("/v1.0/groups/delta?$skiptoken=g2", pageOf(delta("/v1.0/groups/delta?$deltatoken=GD"),
		`{"id":"G1","members@delta":[{"@odata.type":"#microsoft.graph.user","id":"u3"},{"@odata.type":"#microsoft.graph.user","id":"u1","@removed":{"reason":"deleted"}}]}`))
	r := newReader(f)
	got, err := readAll(t, r, GroupsBase)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("groups = %v", got)
	}
	g1 := got[0]
	if g1.DN != "G1" || g1.Get("cn") != "Sales" || !slices.Equal(g1.Values("member"), []string{"u2", "u3"}) {
		t.Errorf("G1 = %v", g1.Attrs)
	}
	if got[1].Get("cn") != "Empty" || len(got[1].Values("member")) != 0 {
		t.Errorf("G2 = %v", got[1].Attrs)
	}
}

// A page that fails half-way fails the read: nothing says it is complete.
func TestPageFailingHalfWayFailsTheRead(t *testing.T) {
	f := newFakeGraph(t)
	f.on("/v1.0/users/delta", pageOf(next("/v1.0/users/delta?$skiptoken=p2"), user("u1", "a@contoso.test")))
	f.on("/v1.0/users/delta?$skiptoken=p2", answer{status: 500, body: `{"error":{"code":"generalException","message":"boom"}}`})
	r := newReader(f)
	if _, err := readAll(t, r, "users"); err == nil || !errors.Is(err, ErrGraph) || !strings.Contains(err.Error(), "page 2") {
		t.Fatalf("err = %v", err)
	}
	if _, ok := r.TokenAfterRead(); ok {
		t.Error("a failed read gave a token")
	}
	// A page with neither link cannot be known complete either.
	f.on("/v1.0/users/delta", answer{body: `{"value":[]}`})
	if _, err := readAll(t, r, "users"); err == nil || !strings.Contains(err.Error(), "neither") {
		t.Fatalf("err = %v", err)
	}
	// A nextLink to another host never gets the token.
	f.on("/v1.0/users/delta", answer{body: `{"@odata.nextLink":"https://evil.test/v1.0/users/delta","value":[]}`})
	if _, err := readAll(t, r, "users"); err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("err = %v", err)
	}
}

// throttling: "the Retry-After header ... wait the number of seconds
// specified ... before retrying"; the wait is reported, and a cancelled
// context ends it.
func TestThrottlingWaitsRetryAfter(t *testing.T) {
	f := newFakeGraph(t)
	f.on("/v1.0/users/delta",
		answer{status: 429, retryAfter: "1", body: `{"error":{"code":"TooManyRequests","message":"slow down"}}`},
		answer{status: 503, retryAfter: "1", body: `{"error":{"code":"serviceNotAvailable"}}`},
		pageOf(delta("/v1.0/users/delta?$deltatoken=D"), user("u1", "a@contoso.test")))
	var waits []string
	r := newReader(f, func(c *Config) {
		c.Waiting = func(d time.Duration, why string) { waits = append(waits, d.String()+" "+why) }
	})
	start := time.Now()
	got, err := readAll(t, r, "users")
	if err != nil || len(got) != 1 {
		t.Fatalf("%v %v", got, err)
	}
	if el := time.Since(start); el < 2*time.Second {
		t.Errorf("did not wait out Retry-After: %s", el)
	}
	if len(waits) != 2 || !strings.Contains(waits[0], "1s") || !strings.Contains(waits[0], "429") || !strings.Contains(waits[1], "503") {
		t.Errorf("waits = %v", waits)
	}

	f.on("/v1.0/users/delta", answer{status: 429, retryAfter: "30", body: `{}`})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err = r.Search(ctx, directory.Query{}, func(*directory.Entry) error { return nil })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
}

// delta-query-overview: @removed with reason changed is a soft delete
// (restorable), deleted is permanent; 410 Gone means start over.
func TestReadChangesRemovedAndExpired(t *testing.T) {
	f := newFakeGraph(t)
	f.on("/v1.0/users/delta?$deltatoken=D1", pageOf(next("/v1.0/users/delta?$skiptoken=c2"),
		user("u1", "ann.renamed@contoso.test"),
		`{"id":"u2","@removed":{"reason":"changed"}}`))
	f.on("/v1.0/users/delta?$skiptoken=c2", pageOf(delta("/v1.0/users/delta?$deltatoken=D2"),
		`{"id":"u3","@removed":{"reason":"deleted"}}`, user("g1", "g#EXT#@contoso.test", "userType", "Guest")))
	r := newReader(f)
	var got []string
	since := `{"users":"` + f.srv.URL + `/v1.0/users/delta?$deltatoken=D1"}`
	err := r.ReadChanges(context.Background(), directory.Query{}, since, func(c directory.Change) error {
		got = append(got, c.Kind.String()+" "+c.Entry.Get("objectId"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"changed u1", "soft-deleted u2", "deleted u3", "left the search scope g1"}
	if !slices.Equal(got, want) {
		t.Errorf("changes = %v, want %v", got, want)
	}
	if tok, _ := r.TokenAfterRead(); !strings.Contains(tok, "deltatoken=D2") {
		t.Errorf("token = %s", tok)
	}

	f.on("/v1.0/users/delta?$deltatoken=D1", answer{status: 410, body: `{"error":{"code":"syncStateNotFound","message":"The sync state is not found."}}`})
	err = r.ReadChanges(context.Background(), directory.Query{}, since, func(directory.Change) error { return nil })
	if !errors.Is(err, directory.ErrTokenExpired) {
		t.Fatalf("410: err = %v", err)
	}
	for _, bad := range []string{"", "garbage", `{"users":"https://elsewhere.test/v1.0/users/delta?$deltatoken=x"}`} {
		if err := r.ReadChanges(context.Background(), directory.Query{}, bad, func(directory.Change) error { return nil }); !errors.Is(err, directory.ErrTokenExpired) {
			t.Errorf("token %q: err = %v", bad, err)
		}
	}
}

// A membership change shows in the groups' delta only: the users it moves
// are read again and reported changed; a deleted group needs a full read.
func TestReadChangesMembershipOnly(t *testing.T) {
	f := newFakeGraph(t)
	f.on("/v1.0/groups/delta", pageOf(delta("/v1.0/groups/delta?$deltatoken=G1"),
		`{"id":"G1","displayName":"Sales","members@delta":[{"@odata.type":"#microsoft.graph.user","id":"u1"}]}`))
	f.on("/v1.0/groups/delta?$deltatoken=G0", pageOf(delta("/v1.0/groups/delta?$deltatoken=G9"),
		`{"id":"G1","members@delta":[{"@odata.type":"#microsoft.graph.user","id":"u2"},{"@odata.type":"#microsoft.graph.user","id":"u1","@removed":{"reason":"deleted"}}]}`))
	f.on("/v1.0/users/delta?$deltatoken=D1", pageOf(delta("/v1.0/users/delta?$deltatoken=D2")))
	f.on("/v1.0/users/u1", answer{body: user("u1", "a@contoso.test")})
	f.on("/v1.0/users/u2", answer{body: user("u2", "b@contoso.test")})
	r := newReader(f)
	if _, err := readAll(t, r, GroupsBase); err != nil {
		t.Fatal(err)
	}
	since := `{"users":"` + f.srv.URL + `/v1.0/users/delta?$deltatoken=D1","groups":"` + f.srv.URL + `/v1.0/groups/delta?$deltatoken=G0"}`
	var got []string
	if err := r.ReadChanges(context.Background(), directory.Query{}, since, func(c directory.Change) error {
		got = append(got, c.Kind.String()+" "+c.Entry.DN)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"changed u1", "changed u2"}) {
		t.Errorf("changes = %v", got)
	}
	// The token keeps the groups link of this run's full group read.
	if tok, _ := r.TokenAfterRead(); !strings.Contains(tok, "deltatoken=G1") || !strings.Contains(tok, "deltatoken=D2") {
		t.Errorf("token = %s", tok)
	}

	f.on("/v1.0/groups/delta?$deltatoken=G0", pageOf(delta("/v1.0/groups/delta?$deltatoken=G9"), `{"id":"G1","@removed":{"reason":"deleted"}}`))
	err := r.ReadChanges(context.Background(), directory.Query{}, since, func(directory.Change) error { return nil })
	if !errors.Is(err, directory.ErrTokenExpired) || !strings.Contains(err.Error(), "G1 was deleted") {
		t.Fatalf("err = %v", err)
	}
}

// errors.md: 401 InvalidAuthenticationToken for an expired or revoked
// token; the request is sent once more with a token signed in afresh, and
// a second refusal fails the read.
func TestUnauthorizedGetsOneFreshToken(t *testing.T) {
	f := newFakeGraph(t)
	f.on("/v1.0/users/delta", pageOf(delta("/v1.0/users/delta?$deltatoken=D"), user("u1", "a@contoso.test")))
	refreshes := 0
	r := newReader(f, func(c *Config) {
		c.Token = func(context.Context) (string, error) { return "revoked", nil }
		c.Refresh = func(context.Context) (string, error) { refreshes++; return "test-token", nil }
	})
	if got, err := readAll(t, r, "users"); err != nil || len(got) != 1 || refreshes != 1 {
		t.Fatalf("%v %v, %d refreshes", got, err, refreshes)
	}
	r = newReader(f, func(c *Config) {
		c.Token = func(context.Context) (string, error) { return "revoked", nil }
		c.Refresh = func(context.Context) (string, error) { return "also-revoked", nil }
	})
	var ae *APIError
	if _, err := readAll(t, r, "users"); !errors.As(err, &ae) || ae.Status != 401 {
		t.Fatalf("err = %v", err)
	}
}

// delta-query-overview: an object may come more than once in a round; the
// engine sees it once, in its last state for an incremental read.
func TestDuplicatesInARound(t *testing.T) {
	f := newFakeGraph(t)
	f.on("/v1.0/users/delta?$deltatoken=D1", pageOf(next("/v1.0/users/delta?$skiptoken=x"),
		user("u1", "old@contoso.test"), user("u2", "b@contoso.test")))
	f.on("/v1.0/users/delta?$skiptoken=x", pageOf(delta("/v1.0/users/delta?$deltatoken=D2"),
		user("u1", "new@contoso.test"), `{"id":"u2","@removed":{"reason":"changed"}}`))
	r := newReader(f)
	var got []string
	since := `{"users":"` + f.srv.URL + `/v1.0/users/delta?$deltatoken=D1"}`
	if err := r.ReadChanges(context.Background(), directory.Query{}, since, func(c directory.Change) error {
		got = append(got, c.Kind.String()+" "+c.Entry.DN+" "+c.Entry.Get("userPrincipalName"))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"changed u1 new@contoso.test", "soft-deleted u2 "}) {
		t.Fatalf("changes = %q", got)
	}
	f.on("/v1.0/users/delta", pageOf(delta("/v1.0/users/delta?$deltatoken=D1"), user("u1", "a@contoso.test"), user("u1", "a@contoso.test")))
	if all, err := readAll(t, r, "users"); err != nil || len(all) != 1 {
		t.Fatalf("full read: %v %v", all, err)
	}
}

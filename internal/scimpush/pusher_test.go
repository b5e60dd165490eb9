package scimpush_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/scimpush"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/store/sqlite"
	"github.com/usersync/usersync/internal/testdir/scimserver"
)

// fixture is a real SQLite store with a source connection "ad", a push
// target "app" and a library SCIM server behind it.
type fixture struct {
	st     *sqlite.Store
	srv    *scimserver.Server
	pusher *scimpush.Pusher
	waits  []time.Duration
	mu     sync.Mutex
}

func newFixture(t *testing.T, match string) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "usersync.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	src, _ := connection.Parse([]byte(`{"name":"ad","dnsName":"dc1","searchPath":"dc=x"}`))
	if err := st.PutConnection(ctx, src, ""); err != nil {
		t.Fatal(err)
	}
	tgt, _ := connection.Parse([]byte(`{"name":"app","directoryType":"target","systemType":"scim","baseUrl":"https://x/scim/v2"}`))
	if err := st.PutConnection(ctx, tgt, ""); err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, srv: scimserver.Start(t)}
	am, err := scimpush.CompileMappings(nil)
	if err != nil {
		t.Fatal(err)
	}
	f.pusher = &scimpush.Pusher{Target: "app", Map: am, Match: match, Store: st,
		Guard: connection.DeletionGuard{MaxCount: 500, MaxPercent: 20, MinCount: 5},
		Client: &scimpush.Client{BaseURL: f.srv.URL, HTTP: bearerClient(f.srv.Token), Retries: 3, Backoff: time.Millisecond,
			Sleep: func(_ context.Context, d time.Duration) error {
				f.mu.Lock()
				f.waits = append(f.waits, d)
				f.mu.Unlock()
				return nil
			}}}
	return f
}

type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

func bearerClient(token string) *http.Client { return &http.Client{Transport: bearer{token}} }

func (f *fixture) run(t *testing.T) int64 {
	t.Helper()
	id, err := f.st.CreateRun(context.Background(), store.Run{Connection: "app", Trigger: "test", Mode: "push", Status: store.RunRunning, StartedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *fixture) apply(t *testing.T, b store.Batch) {
	t.Helper()
	b.Connection = "ad"
	if err := f.st.Apply(context.Background(), b); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) user(t *testing.T, userID string) store.User {
	t.Helper()
	us, err := f.st.FindUsers(context.Background(), userID)
	if err != nil || len(us) != 1 {
		t.Fatalf("FindUsers(%q) = %v, %v", userID, us, err)
	}
	return us[0]
}

func adUser(n int) store.User {
	return store.User{Connection: "ad", ExternalID: fmt.Sprintf("guid-%d", n), UserID: fmt.Sprintf("user%d@example.test", n), Status: store.StatusActive,
		Fields: map[string]string{"displayName": fmt.Sprintf("User %d", n), "firstName": "First", "lastName": fmt.Sprintf("Last%d", n),
			"email": fmt.Sprintf("user%d@example.test", n), "department": "Sales"}}
}

func byUserName(srv *scimserver.Server) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, u := range srv.Users() {
		u["id"] = id
		out[fmt.Sprint(u["userName"])] = u
	}
	return out
}

// The issue: usersync creates, updates (PATCH), deactivates (active:
// false) and deletes users and group memberships on the target; an update
// sends only the changed attributes.
func TestPushFollowsTheFeedWithOnlyChangedAttributes(t *testing.T) {
	f := newFixture(t, connection.MatchUserName)
	ctx := context.Background()
	f.apply(t, store.Batch{Creates: []store.User{adUser(1), adUser(2), adUser(3)}})
	u1 := f.user(t, "user1@example.test")
	if _, err := f.st.CreateEntity(ctx, store.KindGroup, "Engineers"); err != nil {
		t.Fatal(err)
	}
	if err := f.st.AddMembership(ctx, u1.ID, store.KindGroup, "Engineers", store.SourceManual); err != nil {
		t.Fatal(err)
	}
	res, err := f.pusher.Incremental(ctx, f.run(t), false)
	if err != nil {
		t.Fatal(err)
	}
	users := byUserName(f.srv)
	if len(users) != 3 || res.Created != 3 {
		t.Fatalf("target users %d, created %d; want 3", len(users), res.Created)
	}
	if got := users["user1@example.test"]; got["externalId"] != "guid-1" || got["active"] != true {
		t.Fatalf("user1 on target = %v", got)
	}
	var group map[string]any
	for _, g := range f.srv.Groups() {
		group = g
	}
	if group == nil || group["displayName"] != "Engineers" || !strings.Contains(fmt.Sprint(group["members"]), fmt.Sprint(users["user1@example.test"]["id"])) {
		t.Fatalf("group on target = %v", group)
	}
	before, _ := f.pusher.Position(ctx)
	last, _ := f.st.LastEventSeq(ctx)
	if before != last {
		t.Fatalf("position %d after the run, want the last event %d", before, last)
	}

	// A rename, a disable and a group change.
	f.srv.ResetRequests()
	u1.UserID = "renamed1@example.test"
	u1.Fields["lastName"] = "Renamed"
	u2 := f.user(t, "user2@example.test")
	f.apply(t, store.Batch{Updates: []store.User{u1}, Deactivate: []int64{u2.ID}})
	if err := f.st.RemoveMembership(ctx, u1.ID, store.KindGroup, "Engineers", store.SourceManual); err != nil {
		t.Fatal(err)
	}
	if _, err := f.pusher.Incremental(ctx, f.run(t), false); err != nil {
		t.Fatal(err)
	}
	var patches []string
	for _, r := range f.srv.Requests() {
		if r.Method == "POST" || r.Method == "PUT" || r.Method == "DELETE" {
			t.Errorf("%s %s: a change must go as PATCH", r.Method, r.Path)
		}
		if r.Method == "PATCH" {
			patches = append(patches, fmt.Sprint(r.Path, " ", r.Body["Operations"]))
		}
	}
	want := []string{
		`/scim/v2/Users/User-2 [map[op:replace path:active value:false]]`,
		`/scim/v2/Users/User-1 [map[op:replace path:name.familyName value:Renamed] map[op:replace path:userName value:renamed1@example.test]]`,
		`/scim/v2/Groups/Group-1 [map[op:remove path:members[value eq "User-1"]]]`,
	}
	if strings.Join(patches, "\n") != strings.Join(want, "\n") {
		t.Fatalf("PATCH requests:\n%s\nwant:\n%s", strings.Join(patches, "\n"), strings.Join(want, "\n"))
	}
	if u := byUserName(f.srv)["user2@example.test"]; u["active"] != false {
		t.Fatalf("user2 not deactivated on target: %v", u)
	}
	// Nothing new: a run sends nothing at all.
	f.srv.ResetRequests()
	if _, err := f.pusher.Incremental(ctx, f.run(t), false); err != nil || len(f.srv.Requests()) != 0 {
		t.Fatalf("idle run: %v, %d requests", err, len(f.srv.Requests()))
	}
}

// Matching existing users: a user the application already has is found by
// the match attribute with a filtered GET and updated, not duplicated.
func TestPushMatchesAUserTheTargetAlreadyHas(t *testing.T) {
	for _, match := range []string{connection.MatchUserName, connection.MatchEmails} {
		t.Run(match, func(t *testing.T) {
			f := newFixture(t, match)
			userName := "user1@example.test"
			if match == connection.MatchEmails {
				userName = "legacy-name"
			}
			f.srv.PutUser(map[string]any{"userName": userName, "active": true,
				"emails": []any{map[string]any{"type": "work", "value": "user1@example.test"}}})
			f.apply(t, store.Batch{Creates: []store.User{adUser(1)}})
			res, err := f.pusher.Incremental(context.Background(), f.run(t), false)
			if err != nil {
				t.Fatal(err)
			}
			users := f.srv.Users()
			if len(users) != 1 || res.Created != 0 || res.Updated != 1 {
				t.Fatalf("target holds %d users (created %d, updated %d); want the existing one updated", len(users), res.Created, res.Updated)
			}
			for _, u := range users {
				if u["externalId"] != "guid-1" || u["userName"] != "user1@example.test" {
					t.Fatalf("matched user not taken over: %v", u)
				}
			}
			var filtered bool
			for _, r := range f.srv.Requests() {
				if r.Method == "GET" && strings.Contains(r.Query, "filter=") {
					filtered = true
				}
			}
			if !filtered {
				t.Fatal("no filtered GET before creating")
			}
		})
	}
}

// RFC 7644 section 3.3: 409 with scimType uniqueness. The user fails with
// the target's reason and the feed moves on; nothing is duplicated.
func TestPushRecordsAUniquenessConflictAndMovesOn(t *testing.T) {
	f := newFixture(t, connection.MatchExternalID)
	f.srv.PutUser(map[string]any{"userName": "USER1@example.test", "externalId": "someone-else"})
	f.apply(t, store.Batch{Creates: []store.User{adUser(1), adUser(2)}})
	runID := f.run(t)
	res, err := f.pusher.Incremental(context.Background(), runID, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed != 1 || res.Created != 1 || len(f.srv.Users()) != 2 {
		t.Fatalf("failed %d created %d target %d; want one conflict, one created, no duplicate", res.Failed, res.Created, len(f.srv.Users()))
	}
	outs, err := f.st.ListOutcomes(context.Background(), runID, store.OutcomeQuery{Action: store.ActionFailed})
	if err != nil || len(outs) != 1 || !strings.Contains(outs[0].Reason, "409") || outs[0].UserID != "user1@example.test" {
		t.Fatalf("failed outcomes = %+v, %v; want user1 with the 409", outs, err)
	}
}

// RFC 6585 section 4: 429 Too Many Requests with Retry-After; the client
// waits what the target asks and the push completes.
func TestPushHonoursRetryAfter(t *testing.T) {
	f := newFixture(t, connection.MatchUserName)
	f.apply(t, store.Batch{Creates: []store.User{adUser(1)}})
	f.srv.Throttle(2, 7)
	res, err := f.pusher.Incremental(context.Background(), f.run(t), false)
	if err != nil || res.Created != 1 {
		t.Fatalf("push = %+v, %v", res, err)
	}
	if len(f.waits) != 2 || f.waits[0] != 7*time.Second || f.waits[1] != 7*time.Second {
		t.Fatalf("waits = %v, want two of Retry-After's 7s", f.waits)
	}
}

// A target that is down fails the run and nothing is marked pushed; the
// next run after it comes back pushes everything.
func TestPushToATargetThatIsDownMarksNothing(t *testing.T) {
	f := newFixture(t, connection.MatchUserName)
	ctx := context.Background()
	f.apply(t, store.Batch{Creates: []store.User{adUser(1), adUser(2)}})
	f.srv.SetDown(true)
	runID := f.run(t)
	_, err := f.pusher.Incremental(ctx, runID, false)
	if !errors.Is(err, scimpush.ErrUnavailable) {
		t.Fatalf("push to a down target = %v, want ErrUnavailable", err)
	}
	if pos, _ := f.pusher.Position(ctx); pos != 0 {
		t.Fatalf("position %d after a failed run, want 0", pos)
	}
	if outs, _ := f.st.ListOutcomes(ctx, runID, store.OutcomeQuery{}); len(outs) != 0 {
		t.Fatalf("outcomes recorded for a run that pushed nothing: %+v", outs)
	}
	if len(f.waits) != 3 || f.waits[0] != time.Millisecond || f.waits[1] != 2*time.Millisecond || f.waits[2] != 4*time.Millisecond {
		t.Fatalf("waits = %v, want 3 doubling backoffs (1ms, 2ms, 4ms) before giving up", f.waits)
	}
	f.srv.SetDown(false)
	if res, err := f.pusher.Incremental(ctx, f.run(t), false); err != nil || res.Created != 2 {
		t.Fatalf("push after recovery = %+v, %v", res, err)
	}
}

// The deletion guard: a burst of deactivations over the threshold is held
// for approval, and pushed once approved.
func TestPushDeletionGuardHoldsABurst(t *testing.T) {
	f := newFixture(t, connection.MatchUserName)
	ctx := context.Background()
	var creates []store.User
	for i := 1; i <= 12; i++ {
		creates = append(creates, adUser(i))
	}
	f.apply(t, store.Batch{Creates: creates})
	if _, err := f.pusher.Incremental(ctx, f.run(t), false); err != nil {
		t.Fatal(err)
	}
	var gone []int64
	for i := 1; i <= 8; i++ {
		gone = append(gone, f.user(t, fmt.Sprintf("user%d@example.test", i)).ID)
	}
	f.apply(t, store.Batch{Deactivate: gone})
	f.srv.ResetRequests()
	pos, _ := f.pusher.Position(ctx)
	res, err := f.pusher.Incremental(ctx, f.run(t), false)
	if !errors.Is(err, scimpush.ErrHeld) || res.PendingDeactivations != 8 {
		t.Fatalf("burst = %+v, %v; want 8 held", res, err)
	}
	if len(f.srv.Requests()) != 0 {
		t.Fatalf("a held run sent %d requests", len(f.srv.Requests()))
	}
	if now, _ := f.pusher.Position(ctx); now != pos {
		t.Fatalf("a held run moved the position from %d to %d", pos, now)
	}
	res, err = f.pusher.Incremental(ctx, f.run(t), true)
	if err != nil || res.Deactivated != 8 {
		t.Fatalf("approved run = %+v, %v", res, err)
	}
}

// "push all": compare the target's users with the store and fix the
// differences, leaving the application's own users alone.
func TestPushFullReconcilesTheTarget(t *testing.T) {
	f := newFixture(t, connection.MatchUserName)
	ctx := context.Background()
	f.apply(t, store.Batch{Creates: []store.User{adUser(1), adUser(2)}})
	u1 := f.user(t, "user1@example.test")
	if _, err := f.st.CreateEntity(ctx, store.KindGroup, "Ops"); err != nil {
		t.Fatal(err)
	}
	if err := f.st.AddMembership(ctx, u1.ID, store.KindGroup, "Ops", store.SourceManual); err != nil {
		t.Fatal(err)
	}
	f.srv.PutUser(map[string]any{"userName": "user1@example.test", "active": true, "title": "stale"})
	f.srv.PutUser(map[string]any{"userName": "left@example.test", "externalId": "guid-gone", "active": true})
	f.srv.PutUser(map[string]any{"userName": "app-admin", "active": true})
	res, err := f.pusher.Full(ctx, f.run(t), false)
	if err != nil {
		t.Fatal(err)
	}
	users := byUserName(f.srv)
	if len(users) != 4 || res.Created != 1 || res.Updated != 1 || res.Deactivated != 1 {
		t.Fatalf("full push = %+v; target %v", res.Counts, users)
	}
	if users["left@example.test"]["active"] != false || users["app-admin"]["active"] != true {
		t.Fatalf("stray not deactivated or the application's own user touched: %v", users)
	}
	if _, ok := users["user1@example.test"]["title"]; ok {
		t.Fatalf("a title usersync does not have was kept: %v", users["user1@example.test"])
	}
	var members string
	for _, g := range f.srv.Groups() {
		members = fmt.Sprint(g["displayName"], g["members"])
	}
	if !strings.Contains(members, fmt.Sprint(users["user1@example.test"]["id"])) {
		t.Fatalf("group = %s, want user1 in Ops", members)
	}
	last, _ := f.st.LastEventSeq(ctx)
	if pos, _ := f.pusher.Position(ctx); pos != last {
		t.Fatalf("position %d after a full push, want %d", pos, last)
	}
	// A second full push finds nothing to do.
	f.srv.ResetRequests()
	res, err = f.pusher.Full(ctx, f.run(t), false)
	if err != nil || res.Created+res.Updated+res.Deactivated+res.MembershipChanges != 0 {
		t.Fatalf("second full push = %+v, %v", res.Counts, err)
	}
}

// A target that refuses usersync's token fails the run instead of failing
// every user one by one: nothing is marked pushed.
func TestPushWithAWrongTokenMarksNothing(t *testing.T) {
	f := newFixture(t, connection.MatchUserName)
	f.pusher.Client.HTTP = bearerClient("wrong")
	f.apply(t, store.Batch{Creates: []store.User{adUser(1), adUser(2)}})
	res, err := f.pusher.Incremental(context.Background(), f.run(t), false)
	if !errors.Is(err, scimpush.ErrUnauthorized) || res.Failed != 0 {
		t.Fatalf("push with a wrong token = %+v, %v", res, err)
	}
	if pos, _ := f.pusher.Position(context.Background()); pos != 0 {
		t.Fatalf("position %d after a refused push", pos)
	}
}

// Scoping: only the users of the target's pushConnections are pushed.
func TestPushOnlyTheConnectionsInScope(t *testing.T) {
	f := newFixture(t, connection.MatchUserName)
	ctx := context.Background()
	if _, err := f.st.CreateLocalUser(ctx, store.User{UserID: "local-admin", Status: store.StatusActive}); err != nil {
		t.Fatal(err)
	}
	f.apply(t, store.Batch{Creates: []store.User{adUser(1)}})
	f.pusher.Connections = []string{"ad"}
	res, err := f.pusher.Incremental(ctx, f.run(t), false)
	if err != nil || res.Created != 1 {
		t.Fatalf("push = %+v, %v", res, err)
	}
	users := byUserName(f.srv)
	if _, ok := users["local-admin"]; ok || len(users) != 1 {
		t.Fatalf("target users = %v, want only the ad user", users)
	}
}

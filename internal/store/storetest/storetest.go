// Package storetest is the conformance suite every store.Store
// implementation must pass, so that SQLite and PostgreSQL behave alike.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/store"
)

// Opener returns a new, empty store for one subtest.
type Opener func(t *testing.T) store.Store

// Run runs the whole suite.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Connections", testConnections},
		{"ApplyAndIndex", testApplyAndIndex},
		{"ApplyIsAtomic", testApplyIsAtomic},
		{"ListUsers", testListUsers},
		{"LocalUsers", testLocalUsers},
		{"Runs", testRuns},
		{"Certificates", testCertificates},
		{"Entities", testEntities},
		{"Memberships", testMemberships},
		{"ApplyMembershipsIsAtomic", testApplyMembershipsIsAtomic},
		{"ApplyMembershipsBulk", testApplyMembershipsBulk},
		{"ApplyCreatesWithMemberships", testApplyCreatesWithMemberships},
		{"RuleHoldings", testRuleHoldings},
		{"Leases", testLeases},
		{"OrphanedRuns", testOrphanedRuns},
		{"Schedules", testSchedules},
		{"History", testHistory},
		{"Retire", testRetire},
		{"FindUsers", testFindUsers},
		{"SetUserField", testSetUserField},
		{"LastOutcome", testLastOutcome},
		{"CountUsers", testCountUsers},
		{"LocalUserUpkeep", testLocalUserUpkeep},
		{"Admins", testAdmins},
		{"Sessions", testSessions},
		{"APITokens", testAPITokens},
		{"UniqueUserIDs", testUniqueUserIDs},
		{"SecretKeys", testSecretKeys},
		{"UnicodeUserIDs", testUnicodeUserIDs},
		{"UndoLink", testUndoLink},
		{"DeletedUsers", testDeletedUsers},
		{"LDAPViews", testLDAPViews},
		{"FindUsersByEmail", testFindUsersByEmail},
		{"SCIMTokens", testSCIMTokens},
		{"SCIMResources", testSCIMResources},
		{"SCIMRequests", testSCIMRequests},
		{"IndexEntries", testIndexEntries},
		{"LookupIndex", testLookupIndex},
		{"RuleHoldingsOf", testRuleHoldingsOf},
		{"EventsOfRuns", testEventsOfRuns},
		{"EventsOfOperators", testEventsOfOperators},
		{"EventsPrune", testEventsPrune},
		{"Webhooks", testWebhooks},
		{"AdminRoles", testAdminRoles},
		{"AuditLog", testAuditLog},
		{"OutcomePaging", testOutcomePaging},
		{"UserSort", testUserSort},
	}
	seen := &calls{names: map[string]bool{}}
	ran := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ran++
			s := &recorder{Store: open(t), seen: seen}
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tt.fn(t, s)
		})
	}
	// Only a run of the whole suite can tell whether it covers the store.
	if ran == len(tests) {
		t.Run("EveryMethodExercised", func(t *testing.T) { checkEveryMethod(t, seen) })
	}
}

func conn(name string) connection.Connection {
	c := connection.Connection{Name: name, DNSName: "ldap.example.com", SearchPath: "dc=example,dc=com", Username: "cn=admin"}
	c.ApplyDefaults()
	return c
}

func testConnections(t *testing.T, s store.Store) {
	ctx := context.Background()
	if _, _, err := s.GetConnection(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetConnection(missing) = %v, want ErrNotFound", err)
	}
	c := conn("corp")
	c.Password = "must-not-be-stored"
	if err := s.PutConnection(ctx, c, "v1:sealed"); err != nil {
		t.Fatal(err)
	}
	got, sealed, err := s.GetConnection(ctx, "corp")
	if err != nil {
		t.Fatal(err)
	}
	if got.Password != "" || sealed != "v1:sealed" || !got.HasPassword || got.DNSName != c.DNSName {
		t.Fatalf("GetConnection = %+v, sealed %q", got, sealed)
	}
	c.FriendlyName = "Renamed"
	if err := s.PutConnection(ctx, c, "v1:other"); err != nil {
		t.Fatal(err)
	}
	if err := s.PutConnection(ctx, conn("another"), ""); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListConnections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != "another" || list[1].FriendlyName != "Renamed" || !list[1].HasPassword || list[0].HasPassword {
		t.Fatalf("ListConnections = %+v", list)
	}
	if tok, err := s.ChangeToken(ctx, "corp"); err != nil || tok != "" {
		t.Fatalf("ChangeToken = %q, %v", tok, err)
	}
	if err := s.DeleteConnection(ctx, "another"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteConnection(ctx, "another"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second delete = %v, want ErrNotFound", err)
	}
}

// entity creates an application entity.
func entity(t *testing.T, s store.Store, kind, name string) store.Entity {
	t.Helper()
	e, err := s.CreateEntity(context.Background(), kind, name)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func newRun(t *testing.T, s store.Store, connName string) int64 {
	t.Helper()
	id, err := s.CreateRun(context.Background(), store.Run{Connection: connName, Trigger: store.TriggerManual, Mode: store.ModeFull, Status: store.RunRunning})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func index(t *testing.T, s store.Store, connName string) map[string]store.IndexEntry {
	t.Helper()
	out := map[string]store.IndexEntry{}
	if err := s.ScanIndex(context.Background(), connName, func(e store.IndexEntry) error { out[e.ExternalID] = e; return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func testApplyAndIndex(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.PutConnection(ctx, conn("corp"), ""); err != nil {
		t.Fatal(err)
	}
	run := newRun(t, s, "corp")
	tok := "usn:42"
	b := store.Batch{RunID: run, Connection: "corp", Token: &tok}
	for i := range 3 {
		b.Creates = append(b.Creates, store.User{ExternalID: fmt.Sprintf("ext-%d", i), UserID: fmt.Sprintf("u%d", i), Status: store.StatusActive,
			Fields: map[string]string{"email": fmt.Sprintf("u%d@example.com", i)}, Hash: uint64(1) << 63 >> uint(i)})
		b.Outcomes = append(b.Outcomes, store.Outcome{RunID: run, ExternalID: fmt.Sprintf("ext-%d", i), Action: store.ActionCreated})
	}
	if err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	ix := index(t, s, "corp")
	if len(ix) != 3 || ix["ext-0"].Hash != 1<<63 || ix["ext-1"].UserID != "u1" || ix["ext-2"].Status != store.StatusActive {
		t.Fatalf("index after create = %+v", ix)
	}
	if got, _ := s.ChangeToken(ctx, "corp"); got != tok {
		t.Fatalf("token = %q, want %q saved with the batch", got, tok)
	}
	u0, u1 := ix["ext-0"].ID, ix["ext-1"].ID
	err := s.Apply(ctx, store.Batch{RunID: run, Connection: "corp",
		Updates:    []store.User{{ID: u0, UserID: "u0-renamed", Status: store.StatusActive, Fields: map[string]string{"email": "new@example.com"}, Hash: 7}},
		Deactivate: []int64{u1},
		Outcomes: []store.Outcome{{RunID: run, UserRowID: u0, ExternalID: "ext-0", UserID: "u0-renamed", Action: store.ActionUpdated,
			Changes: []store.FieldChange{{Field: "email", Old: "u0@example.com", New: "new@example.com"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	users, err := s.GetUsers(ctx, []int64{u0, u1})
	if err != nil || len(users) != 2 {
		t.Fatalf("GetUsers = %v, %v", users, err)
	}
	for _, u := range users {
		switch u.ID {
		case u0:
			if u.UserID != "u0-renamed" || u.Fields["email"] != "new@example.com" || u.Hash != 7 || u.Source != store.SourceDirectory {
				t.Fatalf("updated user = %+v", u)
			}
		case u1:
			if u.Status != store.StatusInactive || u.Fields["email"] != "u1@example.com" {
				t.Fatalf("deactivated user = %+v", u)
			}
		}
	}
	outs, err := s.ListOutcomes(ctx, run, store.OutcomeQuery{Action: store.ActionUpdated})
	if err != nil || len(outs) != 1 || outs[0].Changes[0].New != "new@example.com" {
		t.Fatalf("outcomes = %+v, %v", outs, err)
	}
	all, _ := s.ListOutcomes(ctx, run, store.OutcomeQuery{})
	if len(all) != 4 {
		t.Fatalf("%d outcomes, want 4", len(all))
	}
	if _, err := s.GetUser(ctx, 1<<40); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetUser(missing) = %v", err)
	}
}

func testApplyIsAtomic(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.PutConnection(ctx, conn("corp"), ""); err != nil {
		t.Fatal(err)
	}
	run := newRun(t, s, "corp")
	tok := "must-not-be-saved"
	// The second create repeats the first's link: the batch must fail whole,
	// token included.
	err := s.Apply(ctx, store.Batch{RunID: run, Connection: "corp", Token: &tok, Creates: []store.User{
		{ExternalID: "dup", UserID: "a", Status: store.StatusActive},
		{ExternalID: "dup", UserID: "b", Status: store.StatusActive},
	}})
	if err == nil {
		t.Fatal("a batch with a duplicate link was accepted")
	}
	if n := len(index(t, s, "corp")); n != 0 {
		t.Fatalf("%d users written by a failed batch", n)
	}
	if got, _ := s.ChangeToken(ctx, "corp"); got != "" {
		t.Fatalf("token %q saved by a failed batch", got)
	}
}

func testListUsers(t *testing.T, s store.Store) {
	ctx := context.Background()
	run := newRun(t, s, "a")
	for _, c := range []string{"a", "b"} {
		var b store.Batch
		b.RunID, b.Connection = run, c
		for i := range 5 {
			b.Creates = append(b.Creates, store.User{ExternalID: fmt.Sprint(i), UserID: fmt.Sprintf("%s-user%d", c, i), Status: store.StatusActive,
				Fields: map[string]string{"displayName": fmt.Sprintf("Person %s%d", c, i), "email": fmt.Sprintf("%s%d@x.test", c, i)}})
		}
		if err := s.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		q    store.UserQuery
		want int
	}{
		{store.UserQuery{}, 10},
		{store.UserQuery{Connection: "b"}, 5},
		{store.UserQuery{Search: "PERSON A3"}, 1},
		{store.UserQuery{Search: "b2@x"}, 1},
		{store.UserQuery{Search: "%"}, 0},
		{store.UserQuery{Limit: 3, Offset: 8}, 2},
		{store.UserQuery{Status: store.StatusInactive}, 0},
	}
	for _, tt := range tests {
		got, err := s.ListUsers(ctx, tt.q)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != tt.want {
			t.Errorf("ListUsers(%+v) = %d users, want %d", tt.q, len(got), tt.want)
		}
	}
}

func testLocalUsers(t *testing.T, s store.Store) {
	ctx := context.Background()
	id, err := s.CreateLocalUser(ctx, store.User{UserID: "Admin@Local", PasswordHash: "$argon2id$x", Fields: map[string]string{"displayName": "Admin"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateLocalUser(ctx, store.User{UserID: "admin@local"}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate local user = %v, want ErrConflict", err)
	}
	u, err := s.GetUser(ctx, id)
	if err != nil || u.Source != store.SourceLocal || u.PasswordHash != "$argon2id$x" || u.Status != store.StatusActive {
		t.Fatalf("local user = %+v, %v", u, err)
	}
	ids, err := s.LocalUserIDs(ctx)
	if err != nil || !ids["admin@local"] {
		t.Fatalf("LocalUserIDs = %v, %v", ids, err)
	}
	// Apply never touches local users, even when handed their row id.
	run := newRun(t, s, "corp")
	if err := s.Apply(ctx, store.Batch{RunID: run, Connection: "corp", Deactivate: []int64{id},
		Updates: []store.User{{ID: id, UserID: "hijacked", Status: store.StatusInactive}}}); err != nil {
		t.Fatal(err)
	}
	u, _ = s.GetUser(ctx, id)
	if u.UserID != "Admin@Local" || u.Status != store.StatusActive {
		t.Fatalf("sync modified a local user: %+v", u)
	}
}

func testRuns(t *testing.T, s store.Store) {
	ctx := context.Background()
	id := newRun(t, s, "corp")
	id2 := newRun(t, s, "other")
	r, err := s.GetRun(ctx, id)
	if err != nil || r.Status != store.RunRunning || r.Connection != "corp" {
		t.Fatalf("GetRun = %+v, %v", r, err)
	}
	r.Status = store.RunSucceeded
	r.Counts = store.Counts{Created: 3, EntriesRead: 9}
	r.Warnings = []string{"w"}
	r.DurationMs = 12
	if err := s.UpdateRun(ctx, r); err != nil {
		t.Fatal(err)
	}
	r, _ = s.GetRun(ctx, id)
	if r.Created != 3 || r.EntriesRead != 9 || r.Status != store.RunSucceeded || len(r.Warnings) != 1 || r.DurationMs != 12 {
		t.Fatalf("updated run = %+v", r)
	}
	runs, err := s.ListRuns(ctx, store.RunQuery{})
	if err != nil || len(runs) != 2 || runs[0].ID != id2 {
		t.Fatalf("ListRuns newest first = %+v, %v", runs, err)
	}
	if runs, _ := s.ListRuns(ctx, store.RunQuery{Connection: "corp"}); len(runs) != 1 {
		t.Fatalf("ListRuns by connection = %d", len(runs))
	}
	n, err := s.FailRunning(ctx, "process died")
	if err != nil || n != 1 {
		t.Fatalf("FailRunning = %d, %v", n, err)
	}
	r, _ = s.GetRun(ctx, id2)
	if r.Status != store.RunFailed || r.Error != "process died" {
		t.Fatalf("interrupted run = %+v", r)
	}
	if _, err := s.GetRun(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetRun(missing) = %v", err)
	}
	if err := s.UpdateRun(ctx, store.Run{ID: 999}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateRun(missing) = %v", err)
	}
}

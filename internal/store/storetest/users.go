package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/usersync/usersync/internal/store"
)

// createUsers applies one batch creating users in connection conn and
// returns their row ids by external id.
func createUsers(t *testing.T, s store.Store, conn string, users ...store.User) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	run := newRun(t, s, conn)
	if err := s.Apply(ctx, store.Batch{RunID: run, Connection: conn, Creates: users}); err != nil {
		t.Fatalf("create %d users in %q: %v", len(users), conn, err)
	}
	out := map[string]int64{}
	for ext, e := range index(t, s, conn) {
		out[ext] = e.ID
	}
	return out
}

func active(ext, userID string) store.User {
	return store.User{ExternalID: ext, UserID: userID, Status: store.StatusActive}
}

// testRetire: a user who moved (another domain, or a new UPN in upn linking
// mode) is deactivated and its link moved aside, so that a new user can
// take the external id in the same batch; the old row keeps its history.
func testRetire(t *testing.T, s store.Store) {
	ctx := context.Background()
	ids := createUsers(t, s, "corp", active("jane@a.test", "jane"), active("bob@a.test", "bob"))
	local, err := s.CreateLocalUser(ctx, store.User{UserID: "root"})
	if err != nil {
		t.Fatal(err)
	}
	old := ids["jane@a.test"]
	tomb := store.RetiredExternalID("jane@a.test", old)
	run := newRun(t, s, "corp")
	err = s.Apply(ctx, store.Batch{RunID: run, Connection: "corp",
		// A local user's row id is never retired.
		Retire:  []store.Retirement{{ID: old, ExternalID: tomb}, {ID: local, ExternalID: "hijacked"}},
		Creates: []store.User{active("jane@a.test", "jane")}})
	if err != nil {
		t.Fatalf("retire and create in one batch: %v", err)
	}
	ix := index(t, s, "corp")
	if len(ix) != 3 {
		t.Fatalf("index after retire = %+v, want bob, the retired jane and the new jane", ix)
	}
	r, ok := ix[tomb]
	if !ok || r.ID != old || r.Status != store.StatusInactive || r.InactiveSince.IsZero() {
		t.Fatalf("retired user = %+v (found %v), want row %d inactive since now under %q", r, ok, old, tomb)
	}
	if n := ix["jane@a.test"]; n.ID == old || n.Status != store.StatusActive || n.UserID != "jane" {
		t.Fatalf("new user = %+v, want a new active row", n)
	}
	if u, err := s.GetUser(ctx, local); err != nil || u.ExternalID != "" || u.Status != store.StatusActive {
		t.Fatalf("local user after a retirement naming it = %+v, %v", u, err)
	}
	// Retiring an unknown row id changes nothing and is not an error.
	if err := s.Apply(ctx, store.Batch{RunID: run, Connection: "corp", Retire: []store.Retirement{{ID: 1 << 40, ExternalID: "x#retired"}}}); err != nil {
		t.Fatalf("retire a missing row: %v", err)
	}
}

// testFindUsers: FindUsers matches the userId whole and ignoring case,
// across connections and local users, and never as a pattern.
func testFindUsers(t *testing.T, s store.Store) {
	ctx := context.Background()
	a := createUsers(t, s, "a", active("1", "Case"), active("2", "c_se"))
	b := createUsers(t, s, "b", store.User{ExternalID: "1", UserID: "cASE", Status: store.StatusInactive})
	local, err := s.CreateLocalUser(ctx, store.User{UserID: "other"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		userID string
		want   []int64
	}{
		{"case", []int64{a["1"], b["1"]}},
		{"CASE", []int64{a["1"], b["1"]}},
		{"OTHER", []int64{local}},
		{"c_se", []int64{a["2"]}},
		{"c%", nil},
		{"cas", nil},
		{"", nil},
		{"nobody", nil},
	}
	for _, tt := range tests {
		got, err := s.FindUsers(ctx, tt.userID)
		if err != nil {
			t.Fatalf("FindUsers(%q): %v", tt.userID, err)
		}
		var ids []int64
		for _, u := range got {
			ids = append(ids, u.ID)
		}
		if !equalIDs(ids, tt.want) {
			t.Errorf("FindUsers(%q) = %v, want %v", tt.userID, ids, tt.want)
		}
	}
}

func equalIDs(a, b []int64) bool {
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

// testSetUserField: an operator's edit sets or (empty) removes one field,
// whatever its name, resets the user's hash and drops the connection's
// change token so that the next run is full and re-evaluates the user.
func testSetUserField(t *testing.T, s store.Store) {
	ctx := context.Background()
	if err := s.PutConnection(ctx, conn("corp"), ""); err != nil {
		t.Fatal(err)
	}
	u := active("1", "jane")
	u.Fields, u.Hash = map[string]string{"email": "j@x.test", "title": "Eng"}, 99
	id := createUsers(t, s, "corp", u)["1"]
	tok := "usn:7"
	if err := s.Apply(ctx, store.Batch{RunID: newRun(t, s, "corp"), Connection: "corp", Token: &tok}); err != nil {
		t.Fatal(err)
	}
	odd := `we"ird.key $[0]`
	for _, f := range []struct{ field, value string }{{"email", "new@x.test"}, {odd, "Zoë'; DROP TABLE users; --"}, {"title", ""}, {"absent", ""}} {
		if err := s.SetUserField(ctx, id, f.field, f.value); err != nil {
			t.Fatalf("SetUserField(%q, %q): %v", f.field, f.value, err)
		}
	}
	got, err := s.GetUser(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"email": "new@x.test", odd: "Zoë'; DROP TABLE users; --"}
	if len(got.Fields) != len(want) || got.Fields["email"] != want["email"] || got.Fields[odd] != want[odd] || got.Hash != 0 {
		t.Fatalf("edited user = %+v, want fields %v and hash 0", got, want)
	}
	if tok, err := s.ChangeToken(ctx, "corp"); err != nil || tok != "" {
		t.Fatalf("change token after an edit = %q, %v; want it dropped", tok, err)
	}
	if err := s.SetUserField(ctx, 1<<40, "email", "x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("SetUserField(missing user) = %v, want ErrNotFound", err)
	}
}

// testLastOutcome: a user's last outcome is the newest naming its row, or,
// for the run that created it, its external id in its own connection only.
func testLastOutcome(t *testing.T, s store.Store) {
	ctx := context.Background()
	run1 := newRun(t, s, "corp")
	err := s.Apply(ctx, store.Batch{RunID: run1, Connection: "corp", Creates: []store.User{active("x", "jane")},
		Outcomes: []store.Outcome{{RunID: run1, ExternalID: "x", UserID: "jane", Action: store.ActionCreated, Warnings: []string{"email is not an address"}}}})
	if err != nil {
		t.Fatal(err)
	}
	id := index(t, s, "corp")["x"].ID
	u, _ := s.GetUser(ctx, id)
	o, err := s.LastOutcome(ctx, u)
	if err != nil || o.RunID != run1 || o.Action != store.ActionCreated || len(o.Warnings) != 1 {
		t.Fatalf("LastOutcome after create = %+v, %v; want run %d's created outcome with its warning", o, err, run1)
	}
	run2 := newRun(t, s, "corp")
	err = s.Apply(ctx, store.Batch{RunID: run2, Connection: "corp", Outcomes: []store.Outcome{{RunID: run2, UserRowID: id, ExternalID: "x",
		UserID: "jane", Action: store.ActionUpdated, Changes: []store.FieldChange{{Field: "email", Old: "a", New: "b"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if o, err := s.LastOutcome(ctx, u); err != nil || o.RunID != run2 || o.Action != store.ActionUpdated || len(o.Changes) != 1 || o.UserRowID != id {
		t.Fatalf("LastOutcome after update = %+v, %v; want run %d's update", o, err, run2)
	}
	// The same external id in another connection is another user.
	other := createUsers(t, s, "other", active("x", "john"))["x"]
	v, _ := s.GetUser(ctx, other)
	if o, err := s.LastOutcome(ctx, v); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("LastOutcome(user of another connection) = %+v, %v; want ErrNotFound", o, err)
	}
	local, err := s.CreateLocalUser(ctx, store.User{UserID: "root"})
	if err != nil {
		t.Fatal(err)
	}
	lu, _ := s.GetUser(ctx, local)
	if o, err := s.LastOutcome(ctx, lu); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("LastOutcome(local user) = %+v, %v; want ErrNotFound", o, err)
	}
}

// testCountUsers counts users of every source by status.
func testCountUsers(t *testing.T, s store.Store) {
	ctx := context.Background()
	createUsers(t, s, "corp", active("1", "a"), active("2", "b"), store.User{ExternalID: "3", UserID: "c", Status: store.StatusInactive})
	if _, err := s.CreateLocalUser(ctx, store.User{UserID: "root"}); err != nil {
		t.Fatal(err)
	}
	for status, want := range map[string]int{"": 4, store.StatusActive: 3, store.StatusInactive: 1, "bogus": 0} {
		if n, err := s.CountUsers(ctx, status); err != nil || n != want {
			t.Errorf("CountUsers(%q) = %d, %v; want %d", status, n, err, want)
		}
	}
}

// testLocalUserUpkeep: local users are listed by userId ignoring case,
// renamed only to a free userId, keep their password unless given a new
// one, and are deleted by id; directory users are out of reach here.
func testLocalUserUpkeep(t *testing.T, s store.Store) {
	ctx := context.Background()
	dir := createUsers(t, s, "corp", active("1", "synced"))["1"]
	bob, err := s.CreateLocalUser(ctx, store.User{UserID: "bob", PasswordHash: "h1"})
	if err != nil {
		t.Fatal(err)
	}
	alice, err := s.CreateLocalUser(ctx, store.User{UserID: "Alice", PasswordHash: "h2", Fields: map[string]string{"email": "a@x.test"}})
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.ListLocalUsers(ctx)
	if err != nil || len(list) != 2 || list[0].ID != alice || list[1].ID != bob || list[0].Fields["email"] != "a@x.test" {
		t.Fatalf("ListLocalUsers = %+v, %v; want Alice then bob, no directory user", list, err)
	}
	// A new userId and status, no new password: the hash stays.
	err = s.UpdateLocalUser(ctx, store.User{ID: bob, UserID: "Robert", Status: store.StatusInactive, Fields: map[string]string{"title": "Ops"}})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := s.GetUser(ctx, bob)
	if u.UserID != "Robert" || u.Status != store.StatusInactive || u.PasswordHash != "h1" || u.Fields["title"] != "Ops" {
		t.Fatalf("updated local user = %+v", u)
	}
	if err := s.UpdateLocalUser(ctx, store.User{ID: bob, UserID: "Robert", Status: store.StatusActive, PasswordHash: "h3"}); err != nil {
		t.Fatal(err)
	}
	if u, _ := s.GetUser(ctx, bob); u.PasswordHash != "h3" || u.Fields == nil {
		t.Fatalf("password change = %+v", u)
	}
	conflicts := []struct {
		name string
		u    store.User
		want error
	}{
		{"another local user's userId in other case", store.User{ID: bob, UserID: "ALICE", Status: store.StatusActive}, store.ErrConflict},
		{"a directory user", store.User{ID: dir, UserID: "x", Status: store.StatusActive}, store.ErrNotFound},
		{"a missing user", store.User{ID: 1 << 40, UserID: "y", Status: store.StatusActive}, store.ErrNotFound},
	}
	for _, c := range conflicts {
		if err := s.UpdateLocalUser(ctx, c.u); !errors.Is(err, c.want) {
			t.Errorf("UpdateLocalUser(%s) = %v, want %v", c.name, err, c.want)
		}
	}
	if u, _ := s.GetUser(ctx, bob); u.UserID != "Robert" {
		t.Fatalf("a refused update changed the user: %+v", u)
	}
	for _, id := range []int64{dir, 1 << 40} {
		if err := s.DeleteLocalUser(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DeleteLocalUser(%d) = %v, want ErrNotFound", id, err)
		}
	}
	if err := s.DeleteLocalUser(ctx, alice); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetUser(ctx, alice); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted local user: %v", err)
	}
	if _, err := s.GetUser(ctx, dir); err != nil {
		t.Fatalf("directory user after local deletes: %v", err)
	}
	// The freed userId can be taken again.
	if _, err := s.CreateLocalUser(ctx, store.User{UserID: "alice"}); err != nil {
		t.Fatalf("reuse a deleted local user's userId: %v", err)
	}
}

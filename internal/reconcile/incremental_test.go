package reconcile

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/store/sqlite"
)

// fakeAD is a directory.Reader and directory.ChangeReader in memory.
type fakeAD struct {
	entries []*directory.Entry
	changes []directory.Change
	// failAfter, when positive, makes ReadChanges fail after that many.
	failAfter int
	token     string
	expired   bool
}

func (f *fakeAD) Search(_ context.Context, _ directory.Query, fn func(*directory.Entry) error) error {
	for _, e := range f.entries {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeAD) Close() error { return nil }

func (f *fakeAD) ChangeToken(context.Context, directory.Query) (string, error) { return f.token, nil }

func (f *fakeAD) ReadChanges(_ context.Context, _ directory.Query, _ string, fn func(directory.Change) error) error {
	if f.expired {
		return fmt.Errorf("fake: %w", directory.ErrTokenExpired)
	}
	for i, ch := range f.changes {
		if f.failAfter > 0 && i == f.failAfter {
			return errors.New("fake: connection lost")
		}
		if err := fn(ch); err != nil {
			return err
		}
	}
	return nil
}

func adEntry(i int, uac string) *directory.Entry {
	return &directory.Entry{DN: fmt.Sprintf("CN=u%d,DC=example,DC=test", i), Attrs: map[string][]string{
		"objectguid":         {guid(i)},
		"userprincipalname":  {fmt.Sprintf("u%d@example.test", i)},
		"displayname":        {fmt.Sprintf("User %d", i)},
		"useraccountcontrol": {uac},
	}}
}

func guid(i int) string { return fmt.Sprintf("00000000-0000-0000-0000-%012d", i) }

func gone(kind directory.ChangeKind, i int) directory.Change {
	return directory.Change{Kind: kind, Entry: &directory.Entry{Attrs: map[string][]string{"objectguid": {guid(i)}}}}
}

// setup stores a connection, syncs n users fully from dir, and returns the
// engine and the job.
func setup(t *testing.T, n int) (*Engine, Job, *fakeAD) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := connection.Connection{Name: "ad", SearchPath: "DC=example,DC=test", SearchFilter: "(objectClass=user)"}
	c.ApplyDefaults()
	if err := st.PutConnection(ctx, c, ""); err != nil {
		t.Fatal(err)
	}
	dir := &fakeAD{token: "t1"}
	for i := 1; i <= n; i++ {
		dir.entries = append(dir.entries, adEntry(i, "512"))
	}
	e := &Engine{Store: st}
	m, err := mapping.Compile(mapping.ActiveDirectory())
	if err != nil {
		t.Fatal(err)
	}
	j := Job{Conn: c, Dir: dir, Flavor: directory.FlavorActiveDirectory, Mapper: m,
		LinkingKey: "objectGUID", Identity: Identity{UPN: true, Mode: connection.IdentityAnchor}}
	rep, err := e.Run(ctx, j)
	if err != nil || rep.Mode != store.ModeFull || rep.Created != n {
		t.Fatalf("first run: %v %+v", err, rep.Run)
	}
	return e, j, dir
}

func activeCount(t *testing.T, st store.Store) int {
	t.Helper()
	us, err := st.ListUsers(context.Background(), store.UserQuery{Status: store.StatusActive})
	if err != nil {
		t.Fatal(err)
	}
	return len(us)
}

func savedToken(t *testing.T, st store.Store) string {
	t.Helper()
	tok, err := st.ChangeToken(context.Background(), "ad")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestIncremental(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		changes   []directory.Change
		failAfter int
		expired   bool
		wantErr   error
		wantMode  string
		want      store.Counts
		active    int
		newToken  bool
	}{
		{name: "changes applied, absent users untouched",
			changes:  []directory.Change{{Kind: directory.Changed, Entry: adEntry(2, "514")}, gone(directory.Deleted, 3), gone(directory.Left, 4), gone(directory.Left, 999)},
			wantMode: store.ModeIncremental, want: store.Counts{Deactivated: 3, EntriesRead: 4}, active: 17, newToken: true},
		{name: "a partial read deactivates nobody and keeps the token",
			changes:   []directory.Change{gone(directory.Deleted, 3), {Kind: directory.Changed, Entry: adEntry(2, "512")}, gone(directory.Deleted, 5)},
			failAfter: 2, wantErr: errAny, wantMode: store.ModeIncremental, want: store.Counts{Unchanged: 1, EntriesRead: 2}, active: 20},
		{name: "the deletion guard holds mass deletions and keeps the token",
			changes: []directory.Change{gone(directory.Deleted, 1), gone(directory.Deleted, 2), gone(directory.Deleted, 3),
				gone(directory.Deleted, 4), gone(directory.Deleted, 6), gone(directory.Left, 5)},
			wantErr: ErrGuardTipped, wantMode: store.ModeIncremental, want: store.Counts{EntriesRead: 6, PendingDeactivations: 6}, active: 20},
		{name: "an expired token falls back to a full run",
			expired: true, wantMode: store.ModeFull, want: store.Counts{Unchanged: 20, EntriesRead: 20}, active: 20, newToken: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, j, dir := setup(t, 20)
			first := savedToken(t, e.Store)
			dir.changes, dir.failAfter, dir.expired, dir.token = tc.changes, tc.failAfter, tc.expired, "t2"
			rep, err := e.Run(ctx, j)
			if tc.wantErr == nil && err != nil || tc.wantErr == errAny && err == nil ||
				tc.wantErr != nil && tc.wantErr != errAny && !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if rep.Mode != tc.wantMode || rep.Counts != tc.want {
				t.Fatalf("mode %s counts %+v, want %s %+v", rep.Mode, rep.Counts, tc.wantMode, tc.want)
			}
			if n := activeCount(t, e.Store); n != tc.active {
				t.Fatalf("%d active users, want %d", n, tc.active)
			}
			tok := savedToken(t, e.Store)
			if tc.newToken != (tok != first) {
				t.Fatalf("token %q after the run (was %q); want a new one: %v", tok, first, tc.newToken)
			}
		})
	}
}

// errAny stands for "some error" in the table.
var errAny = errors.New("any error")

func TestFullFlagIgnoresToken(t *testing.T) {
	e, j, _ := setup(t, 3)
	j.Full = true
	rep, err := e.Run(context.Background(), j)
	if err != nil || rep.Mode != store.ModeFull || rep.Unchanged != 3 {
		t.Fatalf("--full: %v %+v", err, rep.Run)
	}
}

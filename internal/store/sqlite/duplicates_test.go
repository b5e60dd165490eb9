package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/store"
)

// entries is a directory.Reader over a fixed list of entries.
type entries []*directory.Entry

func (es entries) Search(ctx context.Context, _ directory.Query, fn func(*directory.Entry) error) error {
	for _, e := range es {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

func (entries) Close() error { return nil }

// TestRunReportsKeptDuplicates: users that shared a userId before userIds
// were unique are kept by the upgrade, and every run of their connection
// says so, naming them, while it goes on updating them.
func TestRunReportsKeptDuplicates(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := open(ctx, path, 7)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct{ ext, userID string }{{"uuid-1", "jdoe"}, {"uuid-2", "JDoe"}} {
		if _, err := old.db.ExecContext(ctx, `INSERT INTO users(connection, external_id, user_id, status, source, fields, created_at, updated_at)
			VALUES ('corp', ?, ?, 'active', 'directory', '{}', ?, ?)`, u.ext, u.userID, now(), now()); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := connection.Connection{Name: "corp", DNSName: "x", SearchPath: "ou=people"}
	c.ApplyDefaults()
	if err := s.PutConnection(ctx, c, ""); err != nil {
		t.Fatal(err)
	}
	m, err := mapping.Compile(mapping.InetOrgPerson())
	if err != nil {
		t.Fatal(err)
	}
	dir := entries{}
	for i, uid := range []string{"jdoe", "JDoe"} {
		dir = append(dir, &directory.Entry{DN: "uid=" + uid + ",ou=p" + string(rune('a'+i)), Attrs: map[string][]string{
			"entryuuid": {"uuid-" + string(rune('1'+i))}, "uid": {uid}, "sn": {"Doe"}, "cn": {"J Doe"}, "mail": {uid + "@x.test"}}})
	}
	eng := &reconcile.Engine{Store: s}
	rep, err := eng.Run(ctx, reconcile.Job{Conn: c, Dir: dir, Flavor: directory.FlavorOpenLDAP, Mapper: m, LinkingKey: "entryUUID"})
	if err != nil || rep.Failed != 0 || rep.Updated != 2 {
		t.Fatalf("run over kept duplicates = %+v, %v; want both updated", rep.Counts, err)
	}
	var warned string
	for _, w := range rep.Warnings {
		if strings.Contains(w, `userId "jdoe" is shared by 2 active users`) {
			warned = w
		}
	}
	if !strings.Contains(warned, `user "jdoe" of connection "corp"`) || !strings.Contains(warned, `user "JDoe" of connection "corp"`) {
		t.Fatalf("run warnings = %q, want one naming both kept duplicates", rep.Warnings)
	}
	if dups, err := s.DuplicateUserIDs(ctx); err != nil || len(dups) != 2 {
		t.Fatalf("DuplicateUserIDs after the run = %+v, %v; the run must not resolve them by itself", dups, err)
	}
	if got := rep.Run.Status; got != store.RunSucceeded {
		t.Fatalf("run status %q", got)
	}
}

package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/store"
)

// fixtureVersions are the schema versions that have an upgrade fixture in
// testdata/upgrade: every version released before the fixtures were made.
// A newer migration needs no fixture of its own to be tested: each fixture
// is migrated through it.
const fixtureVersions = 13

// upgradeSeeds are representative rows, by the migration after which they
// can be written: a fixture at version N holds the rows of every seed up to
// N, written each right after its migration, the way a store that lived
// through those versions would have them.
var upgradeSeeds = map[int]string{
	1: `
INSERT INTO connections(name, document, sealed_password, change_token, created_at, updated_at) VALUES
 ('corp', '{"name":"corp","friendlyName":"Corporate","directoryType":"source","systemType":"ldap","dnsName":"ldap.example.com","port":636,"security":"ldaps","username":"cn=reader,dc=example,dc=com","searchPath":"ou=people,dc=example,dc=com","searchFilter":"(objectClass=inetOrgPerson)"}',
  'v1:sealed-bind-password', 'csn=20261201000000.000000Z#000000#000#000000', '2026-12-01T00:00:00.000000Z', '2026-12-01T00:00:00.000000Z');
INSERT INTO users(id, connection, external_id, user_id, status, source, fields, hash, password_hash, created_at, updated_at) VALUES
 (1, 'corp', 'uuid-alice', 'alice', 'active', 'directory', '{"displayName":"Alice Example","email":"alice@example.com"}', 11, '', '2026-12-01T00:00:00.000000Z', '2026-12-01T00:00:00.000000Z'),
 (2, 'corp', 'uuid-bob', 'bob', 'inactive', 'directory', '{"displayName":"Bob Example"}', 12, '', '2026-12-01T00:00:00.000000Z', '2026-12-01T01:00:00.000000Z'),
 (3, '', '', 'Émile', 'active', 'local', '{"displayName":"Émile Local"}', 0, '$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA', '2026-12-01T00:00:00.000000Z', '2026-12-01T00:00:00.000000Z');
INSERT INTO runs(id, connection, trigger, mode, status, counts, started_at, finished_at, duration_ms) VALUES
 (1, 'corp', 'manual', 'full', 'succeeded', '{"created":2,"entriesRead":2}', '2026-12-01T00:00:00.000000Z', '2026-12-01T00:00:01.000000Z', 1000),
 (2, 'corp', 'manual', 'incremental', 'succeeded', '{"deactivated":1,"entriesRead":1}', '2026-12-01T01:00:00.000000Z', '2026-12-01T01:00:00.500000Z', 500);
INSERT INTO run_outcomes(run_id, user_row_id, external_id, user_id, action, reason, changes) VALUES
 (1, 1, 'uuid-alice', 'alice', 'created', '', '[{"field":"displayName","old":"","new":"Alice Example"}]'),
 (1, 2, 'uuid-bob', 'bob', 'created', '', ''),
 (2, 2, 'uuid-bob', 'bob', 'deactivated', 'gone from the directory', '');
`,
	3: `
INSERT INTO certificates(connection, user_id, form, mapping, fingerprint, status, written_dn, created_at, updated_at) VALUES
 ('corp', 'alice', 'issuerSerial', 'X509:<I>DC=com,DC=example,CN=CA<SR>0a0b', 'ab12', 'active', 'CN=alice,DC=example,DC=com', '2026-12-01T00:00:00.000000Z', '2026-12-01T00:00:00.000000Z');
`,
	4: `
INSERT INTO admins(name, password_hash, created_at) VALUES ('admin', '$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA', '2026-12-01T00:00:00.000000Z');
INSERT INTO sessions(id_hash, admin, csrf_token, created_at, expires_at) VALUES ('5e551011', 'admin', 'csrf', '2026-12-01T00:00:00.000000Z', '2099-12-01T00:00:00.000000Z');
INSERT INTO api_tokens(name, token_hash, created_by, created_at) VALUES ('ci', 'a3f1c0ffee', 'admin', '2026-12-01T00:00:00.000000Z');
`,
	5: `
INSERT INTO schedule_state(connection, paused, last_fire, next_run_at) VALUES ('corp', 1, '2026-12-01T00:00:00.000000Z', '2026-12-01T01:00:00.000000Z');
INSERT INTO leases(connection, holder, acquired_at, expires_at) VALUES ('corp', 'host-1:42', '2026-12-01T00:00:00.000000Z', '2026-12-01T00:01:00.000000Z');
`,
	6: `
INSERT INTO app_entities(id, kind, name, created_at) VALUES (1, 'group', 'Sales', '2026-12-01T00:00:00.000000Z');
INSERT INTO memberships(user_row_id, entity_id, source, created_at) VALUES (1, 1, 'manual', '2026-12-01T00:00:00.000000Z'), (1, 1, 'rule:corp', '2026-12-01T00:00:00.000000Z');
`,
	9: `
INSERT INTO secret_key(id, fingerprint, recorded_at) VALUES (1, 'fp-0123456789abcdef', '2026-12-01T00:00:00.000000Z');
`,
	12: `
INSERT INTO runs(id, connection, trigger, mode, status, started_at, finished_at, undo_of) VALUES
 (3, 'corp', 'manual', 'undo', 'succeeded', '2026-12-01T02:00:00.000000Z', '2026-12-01T02:00:01.000000Z', 2);
INSERT INTO deleted_users(run_id, user_row_id, connection, external_id, user_id, status, fields, created_at, deleted_at) VALUES
 (2, 9, 'corp', 'uuid-zed', 'zed', 'active', '{"displayName":"Zed"}', '2026-12-01T00:00:00.000000Z', '2026-12-01T01:00:00.000000Z');
`,
}

func fixturePath(v int) string {
	return filepath.Join("testdata", "upgrade", fmt.Sprintf("v%04d.db", v))
}

// TestWriteUpgradeFixtures writes testdata/upgrade/vNNNN.db when
// USERSYNC_WRITE_FIXTURES=1: a store at each earlier schema version with
// the seeds up to it. The files are committed; regenerate them only for a
// version that has none, never to make a failing upgrade pass.
func TestWriteUpgradeFixtures(t *testing.T) {
	if os.Getenv("USERSYNC_WRITE_FIXTURES") != "1" {
		t.Skip("set USERSYNC_WRITE_FIXTURES=1 to write the upgrade fixtures")
	}
	ctx := context.Background()
	for v := 1; v <= fixtureVersions; v++ {
		path := filepath.Join(t.TempDir(), "fixture.db")
		for step := 1; step <= v; step++ {
			s, err := open(ctx, path, step)
			if err != nil {
				t.Fatalf("v%d: migrate to %d: %v", v, step, err)
			}
			if seed := upgradeSeeds[step]; seed != "" {
				if _, err := s.db.ExecContext(ctx, seed); err != nil {
					t.Fatalf("v%d: seed %d: %v", v, step, err)
				}
			}
			s.Close()
		}
		if err := os.MkdirAll(filepath.Dir(fixturePath(v)), 0o755); err != nil {
			t.Fatal(err)
		}
		os.Remove(fixturePath(v))
		s, err := open(ctx, path, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.db.ExecContext(ctx, `VACUUM INTO ?`, fixturePath(v)); err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
}

// TestUpgradeFromEveryVersion: a store from each earlier schema version
// migrates forward to this binary's schema and keeps every row, and what
// it held reads back through the store: the connection with its sealed
// password and change token, users, runs and outcomes, and the tables
// later versions added.
func TestUpgradeFromEveryVersion(t *testing.T) {
	ctx := context.Background()
	for v := 1; v <= fixtureVersions; v++ {
		t.Run(fmt.Sprintf("v%04d", v), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "store.db")
			copyTo(t, fixturePath(v), path)
			before := tableCounts(t, path)
			if before["schema_migrations"] != v {
				t.Fatalf("the fixture is at %d migrations, want %d", before["schema_migrations"], v)
			}
			s, err := Open(ctx, path)
			if err != nil {
				t.Fatalf("upgrade from version %d: %v", v, err)
			}
			defer s.Close()
			if got, _ := s.SchemaVersion(ctx); got != LatestVersion() {
				t.Errorf("schema version after the upgrade = %d, want %d", got, LatestVersion())
			}
			after := tableCounts(t, path)
			for table, n := range before {
				if table != "schema_migrations" && after[table] != n {
					t.Errorf("table %s: %d rows before the upgrade, %d after", table, n, after[table])
				}
			}
			checkUpgraded(t, s, v)
		})
	}
}

func checkUpgraded(t *testing.T, s *Store, v int) {
	t.Helper()
	ctx := context.Background()
	c, sealed, err := s.GetConnection(ctx, "corp")
	if err != nil || sealed != "v1:sealed-bind-password" || c.DNSName != "ldap.example.com" {
		t.Errorf("connection corp = %+v, sealed %q, %v", c, sealed, err)
	}
	if tok, err := s.ChangeToken(ctx, "corp"); err != nil || !strings.HasPrefix(tok, "csn=") {
		t.Errorf("change token = %q, %v; want the stored csn", tok, err)
	}
	for _, want := range []struct{ userID, status, display string }{
		{"alice", store.StatusActive, "Alice Example"}, {"BOB", store.StatusInactive, "Bob Example"}, {"émile", store.StatusActive, "Émile Local"},
	} {
		users, err := s.FindUsers(ctx, want.userID)
		if err != nil || len(users) != 1 || users[0].Status != want.status || users[0].Fields["displayName"] != want.display {
			t.Errorf("FindUsers(%q) = %+v, %v; want one %s user %q", want.userID, users, err, want.status, want.display)
		}
	}
	if r, err := s.GetRun(ctx, 2); err != nil || r.Status != store.RunSucceeded || r.Mode != "incremental" {
		t.Errorf("run 2 = %+v, %v", r, err)
	}
	if outs, err := s.ListOutcomes(ctx, 1, store.OutcomeQuery{}); err != nil || len(outs) != 2 {
		t.Errorf("outcomes of run 1 = %d, %v; want 2", len(outs), err)
	}
	if v >= 4 {
		toks, err := s.ListAPITokens(ctx)
		if err != nil || len(toks) != 1 || toks[0].Name != "ci" || toks[0].Scope != store.TokenScopeAdmin {
			t.Errorf("tokens = %+v, %v; want ci, which keeps the admin scope", toks, err)
		}
	}
	if v >= 3 {
		if certs, err := s.ListCertificates(ctx, store.CertificateQuery{}); err != nil || len(certs) != 1 {
			t.Errorf("certificates = %+v, %v", certs, err)
		}
	}
	// The upgraded store takes new writes under its current rules: a
	// second active alice is refused, a new user is not.
	if err := s.Apply(ctx, store.Batch{Connection: "corp", Creates: []store.User{{ExternalID: "uuid-alice2", UserID: "ALICE", Status: store.StatusActive}}}); err == nil {
		t.Errorf("a second active alice was accepted after the upgrade")
	}
	if err := s.Apply(ctx, store.Batch{Connection: "corp", Creates: []store.User{{ExternalID: "uuid-carol", UserID: "carol", Status: store.StatusActive}}}); err != nil {
		t.Errorf("a new user after the upgrade: %v", err)
	}
}

// tableCounts counts the rows of every table the database lists.
func tableCounts(t *testing.T, path string) map[string]int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tables, err := tableNames(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, name := range tables {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM "` + name + `"`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[name] = n
	}
	return out
}

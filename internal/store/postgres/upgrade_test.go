package postgres

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/usersync/internal/store"
	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
)

// fixtureVersions are the schema versions that have an upgrade fixture (a
// SQL dump) in testdata/upgrade. A newer migration needs no fixture of its
// own: each fixture is migrated through it.
const fixtureVersions = 7

// upgradeSeeds are representative rows, by the migration after which they
// can be written; a fixture at version N holds every seed up to N.
var upgradeSeeds = map[int]string{
	1: `
INSERT INTO connections(name, document, sealed_password, change_token) VALUES
 ('corp', '{"name":"corp","friendlyName":"Corporate","directoryType":"source","systemType":"ldap","dnsName":"ldap.example.com","port":636,"security":"ldaps","username":"cn=reader,dc=example,dc=com","searchPath":"ou=people,dc=example,dc=com","searchFilter":"(objectClass=inetOrgPerson)"}',
  'v1:sealed-bind-password', 'csn=20261201000000.000000Z#000000#000#000000');
INSERT INTO users(id, connection, external_id, user_id, status, source, fields, hash, password_hash, deactivated_at) VALUES
 (1, 'corp', 'uuid-alice', 'alice', 'active', 'directory', '{"displayName":"Alice Example","email":"alice@example.com"}', -11, '', NULL),
 (2, 'corp', 'uuid-bob', 'bob', 'inactive', 'directory', '{"displayName":"Bob Example"}', 12, '', '2026-12-01T01:00:00Z'),
 (3, '', '', 'Émile', 'active', 'local', '{"displayName":"Émile Local"}', 0, '$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA', NULL);
SELECT setval('users_id_seq', 3);
INSERT INTO runs(id, connection, trigger, mode, status, counts, started_at, finished_at, duration_ms) VALUES
 (1, 'corp', 'manual', 'full', 'succeeded', '{"created":2,"entriesRead":2}', '2026-12-01T00:00:00Z', '2026-12-01T00:00:01Z', 1000),
 (2, 'corp', 'manual', 'incremental', 'succeeded', '{"deactivated":1,"entriesRead":1}', '2026-12-01T01:00:00Z', '2026-12-01T01:00:00.5Z', 500);
SELECT setval('runs_id_seq', 2);
INSERT INTO run_outcomes(run_id, user_row_id, external_id, user_id, action, reason, changes) VALUES
 (1, 1, 'uuid-alice', 'alice', 'created', '', '[{"field":"displayName","old":"","new":"Alice Example"}]'),
 (1, 2, 'uuid-bob', 'bob', 'created', '', NULL),
 (2, 2, 'uuid-bob', 'bob', 'deactivated', 'gone from the directory', NULL);
INSERT INTO certificates(connection, user_id, form, mapping, fingerprint, not_after, status, written_dn) VALUES
 ('corp', 'alice', 'issuerSerial', 'X509:<I>DC=com,DC=example,CN=CA<SR>0a0b', 'ab12', '2030-01-01T00:00:00Z', 'active', 'CN=alice,DC=example,DC=com');
INSERT INTO admins(name, password_hash) VALUES ('admin', '$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA');
INSERT INTO sessions(id_hash, admin, csrf_token, expires_at) VALUES ('5e551011', 'admin', 'csrf', '2099-12-01T00:00:00Z');
INSERT INTO api_tokens(name, token_hash, created_by) VALUES ('ci', 'a3f1c0ffee', 'admin');
INSERT INTO schedule_state(connection, paused, last_fire, next_run_at) VALUES ('corp', true, '2026-12-01T00:00:00Z', '2026-12-01T01:00:00Z');
INSERT INTO leases(connection, holder, acquired_at, expires_at) VALUES ('corp', 'host-1:42', '2026-12-01T00:00:00Z', '2026-12-01T00:01:00Z');
INSERT INTO app_entities(id, kind, name) VALUES (1, 'group', 'Sales');
SELECT setval('app_entities_id_seq', 1);
INSERT INTO memberships(user_row_id, entity_id, source) VALUES (1, 1, 'manual'), (1, 1, 'rule:corp');
`,
	3: `INSERT INTO secret_key(id, fingerprint) VALUES (1, 'fp-0123456789abcdef');`,
	6: `
INSERT INTO runs(id, connection, trigger, mode, status, started_at, finished_at, undo_of) VALUES
 (3, 'corp', 'manual', 'undo', 'succeeded', '2026-12-01T02:00:00Z', '2026-12-01T02:00:01Z', 2);
SELECT setval('runs_id_seq', 3);
INSERT INTO deleted_users(run_id, user_row_id, connection, external_id, user_id, status, fields, created_at, deleted_at) VALUES
 (2, 9, 'corp', 'uuid-zed', 'zed', 'active', '{"displayName":"Zed"}', '2026-12-01T00:00:00Z', '2026-12-01T01:00:00Z');
`,
}

func fixturePath(v int) string {
	return filepath.Join("testdata", "upgrade", fmt.Sprintf("v%04d.sql", v))
}

// TestWriteUpgradeFixtures writes testdata/upgrade/vNNNN.sql when
// USERSYNC_WRITE_FIXTURES=1: pg_dump of a database at each earlier schema
// version with the seeds up to it. The dumps are committed; regenerate one
// only for a version that has none, never to make a failing upgrade pass.
func TestWriteUpgradeFixtures(t *testing.T) {
	if os.Getenv("USERSYNC_WRITE_FIXTURES") != "1" {
		t.Skip("set USERSYNC_WRITE_FIXTURES=1 to write the upgrade fixtures")
	}
	ctx := context.Background()
	bin, err := pgtest.BinDir()
	if err != nil {
		t.Fatal(err)
	}
	for v := 1; v <= fixtureVersions; v++ {
		url := pgtest.URL(t)
		for step := 1; step <= v; step++ {
			s, err := open(ctx, url, step)
			if err != nil {
				t.Fatalf("v%d: migrate to %d: %v", v, step, err)
			}
			if seed := upgradeSeeds[step]; seed != "" {
				if _, err := s.pool.Exec(ctx, seed); err != nil {
					t.Fatalf("v%d: seed %d: %v", v, step, err)
				}
			}
			s.Close()
		}
		out, err := exec.Command(filepath.Join(bin, "pg_dump"), "--no-owner", "--no-privileges", "--inserts", "--dbname", url).Output()
		if err != nil {
			t.Fatalf("pg_dump: %v", err)
		}
		if err := os.MkdirAll(filepath.Dir(fixturePath(v)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(fixturePath(v), out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// loadDump runs a plain pg_dump file on the database at url. psql's
// meta-commands (lines starting with a backslash, such as \restrict) are
// not SQL and are left out; the dump's own settings (an empty search_path)
// stay on its one connection, which is closed afterwards.
func loadDump(t *testing.T, url, path string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var sql strings.Builder
	for _, line := range strings.SplitAfter(string(raw), "\n") {
		if !strings.HasPrefix(line, `\`) {
			sql.WriteString(line)
		}
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql.String()); err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
}

// TestUpgradeFromEveryVersion: a database from each earlier schema version
// (a pg_dump) migrates forward to this binary's schema, keeps every row, and
// what it held reads back through the store.
func TestUpgradeFromEveryVersion(t *testing.T) {
	ctx := context.Background()
	for v := 1; v <= fixtureVersions; v++ {
		t.Run(fmt.Sprintf("v%04d", v), func(t *testing.T) {
			url := pgtest.URL(t)
			loadDump(t, url, fixturePath(v))
			before := pgTableCounts(t, url)
			if before["schema_migrations"] != v {
				t.Fatalf("the fixture is at %d migrations, want %d", before["schema_migrations"], v)
			}
			s, err := Open(ctx, url)
			if err != nil {
				t.Fatalf("upgrade from version %d: %v", v, err)
			}
			defer s.Close()
			if got, _ := s.SchemaVersion(ctx); got != LatestVersion() {
				t.Errorf("schema version after the upgrade = %d, want %d", got, LatestVersion())
			}
			after := pgTableCounts(t, url)
			for table, n := range before {
				if table != "schema_migrations" && after[table] != n {
					t.Errorf("table %s: %d rows before the upgrade, %d after", table, n, after[table])
				}
			}
			c, sealed, err := s.GetConnection(ctx, "corp")
			if err != nil || sealed != "v1:sealed-bind-password" || c.DNSName != "ldap.example.com" {
				t.Errorf("connection corp = %+v, sealed %q, %v", c, sealed, err)
			}
			if tok, err := s.ChangeToken(ctx, "corp"); err != nil || !strings.HasPrefix(tok, "csn=") {
				t.Errorf("change token = %q, %v", tok, err)
			}
			for _, want := range []struct{ userID, status, display string }{
				{"alice", store.StatusActive, "Alice Example"}, {"BOB", store.StatusInactive, "Bob Example"}, {"émile", store.StatusActive, "Émile Local"},
			} {
				users, err := s.FindUsers(ctx, want.userID)
				if err != nil || len(users) != 1 || users[0].Status != want.status || users[0].Fields["displayName"] != want.display {
					t.Errorf("FindUsers(%q) = %+v, %v", want.userID, users, err)
				}
			}
			if outs, err := s.ListOutcomes(ctx, 1, store.OutcomeQuery{}); err != nil || len(outs) != 2 {
				t.Errorf("outcomes of run 1 = %d, %v; want 2", len(outs), err)
			}
			if toks, err := s.ListAPITokens(ctx); err != nil || len(toks) != 1 || toks[0].Scope != store.TokenScopeAdmin {
				t.Errorf("tokens = %+v, %v; want ci with the admin scope", toks, err)
			}
			if err := s.Apply(ctx, store.Batch{Connection: "corp", Creates: []store.User{{ExternalID: "uuid-alice2", UserID: "ALICE", Status: store.StatusActive}}}); err == nil {
				t.Errorf("a second active alice was accepted after the upgrade")
			}
			if err := s.Apply(ctx, store.Batch{Connection: "corp", Creates: []store.User{{ExternalID: "uuid-carol", UserID: "carol", Status: store.StatusActive}}}); err != nil {
				t.Errorf("a new user after the upgrade: %v", err)
			}
		})
	}
}

// TestOpenRefusesNewerSchema: a database migrated by a newer usersync is
// refused with both versions named, and no migration is applied to it.
func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	old, err := open(ctx, url, 2)
	if err != nil {
		t.Fatal(err)
	}
	future := LatestVersion() + 1
	if _, err := old.pool.Exec(ctx, `INSERT INTO schema_migrations(version, name) VALUES ($1, 'future.sql')`, future); err != nil {
		t.Fatal(err)
	}
	old.Close()
	_, err = Open(ctx, url)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("version %d", future)) || !strings.Contains(err.Error(), fmt.Sprintf("knows up to %d", LatestVersion())) {
		t.Fatalf("Open(newer database) = %v, want ErrSchemaTooNew naming both versions", err)
	}
	if !isTooNew(err) {
		t.Errorf("%v is not ErrSchemaTooNew", err)
	}
	counts := pgTableCounts(t, url)
	if counts["schema_migrations"] != 3 {
		t.Errorf("schema_migrations has %d rows after the refusal, want 3 (nothing applied)", counts["schema_migrations"])
	}
	if _, ok := counts["secret_key"]; ok {
		t.Errorf("migration 3 was applied to a newer database")
	}
}

// pgTableCounts counts the rows of every table of the public schema, as
// the database lists them.
func pgTableCounts(t *testing.T, url string) map[string]int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, n := range names {
		var c int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{n}.Sanitize()).Scan(&c); err != nil {
			t.Fatal(err)
		}
		out[n] = c
	}
	return out
}

func isTooNew(err error) bool { return errors.Is(err, store.ErrSchemaTooNew) }

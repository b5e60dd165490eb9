package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ldapv3 "github.com/go-ldap/ldap/v3"
	"github.com/jackc/pgx/v5"

	"github.com/usersync/usersync/internal/store"
	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// copiedTables are the tables the copy test fills on the source, so that a
// table left out of the copy shows as a difference in its row count. A
// table added later with no row here is reported by name in the log.
var copiedTables = []string{
	"admins", "api_tokens", "app_entities", "certificates", "connections", "deleted_users",
	"memberships", "run_outcomes", "runs", "schedule_state", "secret_key", "sessions", "users",
}

// TestStoreCopySQLiteToPostgres: `usersync store copy --to postgres://…`
// moves everything in a SQLite store (users, memberships, runs and
// outcomes, tokens, sealed secrets, change tokens, schedules, local users,
// admins and their sessions, certificate mappings, undo data) into
// PostgreSQL: every table the databases list has the same rows on both
// sides. A sync on PostgreSQL then continues incrementally from the copied
// change token, reading only the one change, and binds with the copied
// sealed password under the same key. A second copy into the now full
// database is refused.
func TestStoreCopySQLiteToPostgres(t *testing.T) {
	const n = 200
	ctx := context.Background()
	s := slapd.Start(t, n, 0)
	c := newCLI(t)
	doc := connDoc(s)
	doc["schedule"] = "@every 1h"
	c.apply(doc)
	// Entities are part of what an incremental run's token stands for:
	// made before the first sync, they leave the next run incremental.
	if out, code := c.run("group", "add", "Sales"); code != 0 {
		t.Fatalf("group add: %d %s", code, out)
	}
	if rep, code := c.sync("corp"); code != 0 || rep.Created != n {
		t.Fatalf("first sync: exit %d %+v", code, rep.Counts)
	}
	fillEveryTable(t, c)

	pgURL := pgtest.URL(t)
	if out, code := c.run("store", "copy", "--to", pgURL); code != 0 {
		t.Fatalf("store copy: exit %d %s", code, out)
	}
	src := sqliteCounts(t, c.db)
	dst := postgresCounts(t, pgURL)
	for table, n := range src {
		if _, skip := store.CopySkipped[table]; skip {
			continue
		}
		if dst[table] != n {
			t.Errorf("table %s: %d rows in SQLite, %d in PostgreSQL after the copy", table, n, dst[table])
		}
		if n == 0 {
			t.Logf("table %s has no rows in this test: its copy is not checked", table)
		}
	}
	for _, table := range copiedTables {
		if src[table] == 0 {
			t.Errorf("the test left table %s empty, so its copy proves nothing", table)
		}
	}
	for table := range dst {
		if _, ok := src[table]; !ok {
			t.Logf("table %s exists only in PostgreSQL", table)
		}
	}
	if out, code := c.run("store", "copy", "--to", pgURL); code != exitUsage || !strings.Contains(out, "not empty") {
		t.Errorf("a second copy into the full database: exit %d %q, want %d saying it is not empty", code, out, exitUsage)
	}

	// The PostgreSQL store carries on where SQLite stopped, with the same
	// key file.
	t.Setenv("USERSYNC_SECRET_KEY_FILE", filepath.Join(filepath.Dir(c.db), "usersync.key"))
	pg := &cli{t: t, db: pgURL}
	l := adminConn(t, s)
	m := ldapv3.NewModifyRequest(slapd.UserDN(7), nil)
	m.Replace("mail", []string{"moved@example.org"})
	if err := l.Modify(m); err != nil {
		t.Fatal(err)
	}
	// A follower of the change feed carries on across the move: the
	// copy's events keep their sequence numbers, and the next change gets
	// a higher one.
	feedEnd := func(db string) int64 {
		t.Helper()
		a, err := openApp(ctx, db, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		seq, err := a.Store.LastEventSeq(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return seq
	}
	srcEnd, copiedEnd := feedEnd(c.db), feedEnd(pgURL)
	if srcEnd == 0 || copiedEnd != srcEnd {
		t.Errorf("the change feed ends at %d in SQLite and at %d in the PostgreSQL copy, want the same, above 0", srcEnd, copiedEnd)
	}
	rep, code := pg.sync("corp")
	if end := feedEnd(pgURL); end <= srcEnd {
		t.Errorf("after a change on PostgreSQL the feed ends at %d, want above the copied %d", end, srcEnd)
	}
	if code != 0 || rep.Mode != store.ModeIncremental || rep.EntriesRead != 1 || rep.Updated != 1 || rep.Created != 0 {
		t.Fatalf("sync on PostgreSQL after the copy: exit %d, mode %s, %d read, %+v %q; want incremental, 1 read, 1 updated (warnings %q)",
			code, rep.Mode, rep.EntriesRead, rep.Counts, rep.Error, rep.Warnings)
	}
	a, err := openApp(ctx, pgURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if users, err := a.Store.FindUsers(ctx, slapd.UID(7)); err != nil || len(users) != 1 || users[0].Fields["email"] != "moved@example.org" {
		t.Errorf("user 7 on PostgreSQL = %+v, %v", users, err)
	}
	if toks, err := a.Store.ListAPITokens(ctx); err != nil || len(toks) != 1 || toks[0].Name != "copy-test" {
		t.Errorf("tokens on PostgreSQL = %+v, %v", toks, err)
	}
	if _, err := a.Store.GetSession(ctx, "copied-session"); err != nil {
		t.Errorf("the admin's session did not survive the copy: %v", err)
	}
	// New rows get new ids past the copied ones.
	if _, err := a.Store.CreateLocalUser(ctx, store.User{UserID: "after-copy", Status: store.StatusActive}); err != nil {
		t.Errorf("a new local user after the copy: %v", err)
	}

	// And back: PostgreSQL into a new SQLite file, the same rows again, and
	// the values read back through the SQLite store.
	back := filepath.Join(t.TempDir(), "back.db")
	if out, code := pg.run("store", "copy", "--to", back); code != 0 {
		t.Fatalf("store copy to SQLite: exit %d %s", code, out)
	}
	pgNow, sqNow := postgresCounts(t, pgURL), sqliteCounts(t, back)
	for table, n := range pgNow {
		if _, skip := store.CopySkipped[table]; !skip && sqNow[table] != n {
			t.Errorf("table %s: %d rows in PostgreSQL, %d in the SQLite copy", table, n, sqNow[table])
		}
	}
	b, err := openApp(ctx, back, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if users, err := b.Store.FindUsers(ctx, slapd.UID(7)); err != nil || len(users) != 1 || users[0].Fields["email"] != "moved@example.org" {
		t.Errorf("user 7 in the SQLite copy = %+v, %v", users, err)
	}
	if tok, err := b.Store.ChangeToken(ctx, "corp"); err != nil || tok == "" {
		t.Errorf("change token in the SQLite copy = %q, %v", tok, err)
	}
	if rs, err := b.Store.ListRuns(ctx, store.RunQuery{Connection: "corp"}); err != nil || len(rs) < 2 || rs[0].FinishedAt == nil {
		t.Errorf("runs in the SQLite copy = %+v, %v", rs, err)
	}
}

// fillEveryTable writes at least one row into each table the sync left
// empty, through the store.
func fillEveryTable(t *testing.T, c *cli) {
	t.Helper()
	ctx := context.Background()
	a, err := openApp(ctx, c.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	st := a.Store
	now := time.Now().UTC().Truncate(time.Second)
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("admin", st.CreateAdmin(ctx, store.Admin{Name: "ops", PasswordHash: "$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA", CreatedAt: now}))
	must("session", st.CreateSession(ctx, store.Session{IDHash: "copied-session", Admin: "ops", CSRFToken: "csrf", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}))
	_, err = st.CreateAPIToken(ctx, store.APIToken{Name: "copy-test", Hash: strings.Repeat("ab", 32), Scope: store.TokenScopeRun, CreatedBy: "ops", CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour)})
	must("token", err)
	_, err = st.CreateLocalUser(ctx, store.User{UserID: "local-ops", Status: store.StatusActive, Source: store.SourceLocal, Fields: map[string]string{"displayName": "Local Ops"}})
	must("local user", err)
	users, err := st.FindUsers(ctx, slapd.UID(3))
	must("find", err)
	if len(users) != 1 {
		t.Fatalf("user 3: %+v", users)
	}
	must("membership", st.AddMembership(ctx, users[0].ID, store.KindGroup, "Sales", "manual"))
	_, err = st.PutCertificate(ctx, store.Certificate{Connection: "corp", UserID: slapd.UID(3), Form: "sha1PublicKey", Mapping: "X509:<SHA1-PUKEY>00ff",
		Fingerprint: "00ff", NotAfter: now.Add(365 * 24 * time.Hour), Status: "active", CreatedAt: now, UpdatedAt: now})
	must("certificate", err)
	must("schedule", st.SetNextRun(ctx, "corp", now.Add(time.Hour)))
	runs, err := st.ListRuns(ctx, store.RunQuery{Connection: "corp", Limit: 1})
	must("runs", err)
	victims, err := st.FindUsers(ctx, slapd.UID(4))
	must("find", err)
	must("delete (undo data)", st.Apply(ctx, store.Batch{Connection: "corp", RunID: runs[0].ID, Delete: []int64{victims[0].ID}}))
}

func sqliteCounts(t *testing.T, path string) map[string]int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	rows.Close()
	out := map[string]int{}
	for _, name := range names {
		var n int
		if err := db.QueryRow(fmt.Sprintf(`SELECT count(*) FROM %q`, name)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[name] = n
	}
	return out
}

func postgresCounts(t *testing.T, url string) map[string]int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, name := range names {
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{name}.Sanitize()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[name] = n
	}
	return out
}

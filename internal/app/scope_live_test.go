package app_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/apptest"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// TestLiveBatchReadsScopeGroups: a live batch decides with the scope
// groups' members of the moment, not those read when live mode opened the
// directory.
func TestLiveBatchReadsScopeGroups(t *testing.T) {
	s := slapd.Start(t, 20, 2) // group001: users 1, 3, 5, …
	t.Setenv("USERSYNC_SECRET_KEY", "")
	ctx := context.Background()
	a := apptest.Open(t, filepath.Join(t.TempDir(), "usersync.db"), slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	group1 := "cn=" + slapd.GroupName(1) + "," + slapd.GroupsDN
	off := false
	c := connection.Connection{Name: "corp", DNSName: "127.0.0.1", Port: s.Port, Username: slapd.AdminDN, Password: slapd.AdminPassword,
		SearchPath: slapd.PeopleDN, SearchFilter: "(objectClass=inetOrgPerson)", Schedule: "off", GroupRules: &off,
		Scope: &mapping.Scope{Groups: []string{group1}}}
	if _, _, err := a.PutConnection(ctx, c); err != nil {
		t.Fatal(err)
	}
	if rep, err := a.Sync(ctx, "corp", app.SyncOptions{}); err != nil || rep.Created != 10 {
		t.Fatalf("first sync: %v %+v", err, rep)
	}
	d, err := a.OpenDirectory(ctx, "corp")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()

	// User 2 joins the group after live mode opened the directory.
	l, err := ldapv3.DialURL(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Bind(slapd.AdminDN, slapd.AdminPassword); err != nil {
		t.Fatal(err)
	}
	add := ldapv3.NewModifyRequest(group1, nil)
	add.Add("member", []string{slapd.UserDN(2)})
	if err := l.Modify(add); err != nil {
		t.Fatal(err)
	}
	var e *directory.Entry
	q := directory.Query{BaseDN: slapd.UserDN(2), Filter: "(objectClass=*)", Attributes: reconcile.Attributes(d.Job)}
	if err := d.LDAP.Search(ctx, q, func(en *directory.Entry) error { e = en; return nil }); err != nil || e == nil {
		t.Fatalf("read user 2: %v", err)
	}
	rep, err := a.ApplyLive(ctx, d, reconcile.Changes{Upserts: []*directory.Entry{e}})
	if err != nil || rep.Created != 1 {
		t.Fatalf("live batch with user 2, now in the scope's group: %v %+v", err, rep)
	}
	users, err := a.Store.ListUsers(ctx, store.UserQuery{Connection: "corp", Search: slapd.UID(2)})
	if err != nil || len(users) != 1 || users[0].Status != store.StatusActive {
		t.Fatalf("user 2: %v %+v", err, users)
	}
}

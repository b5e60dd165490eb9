package app_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/testdir/apptest"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// TestAuthenticateOpenLDAPByUID: on a directory that is not Active
// Directory, a user logs in with their userId or with their bare login,
// the entry's uid (whatever the userId is mapped from, and also a uid
// shaped like an address), and is checked by a bind as that entry. A wrong
// password and a login nobody has are refused with the right error.
func TestAuthenticateOpenLDAPByUID(t *testing.T) {
	const pw = "Ol-Pw-12345"
	ldif := "dn: uid=olbare," + slapd.PeopleDN + "\nobjectClass: inetOrgPerson\nuid: olbare\ncn: Bare\nsn: Bare\nmail: bare.mail@example.com\nuserPassword: " + pw + "\n\n" +
		"dn: uid=ol.addr@example.com," + slapd.PeopleDN + "\nobjectClass: inetOrgPerson\nuid: ol.addr@example.com\ncn: Addr\nsn: Addr\nmail: addr.mail@example.com\nuserPassword: " + pw + "\n\n"
	s := slapd.StartLDIF(t, []byte(ldif))
	t.Setenv("USERSYNC_SECRET_KEY", "")
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		userID   string // the source of the userId
		logins   []string
		unknowns []string
	}{
		{"userId from uid", "uid", []string{"olbare", "ol.addr@example.com"}, []string{"nobody", "nobody@example.com"}},
		{"userId from mail", "mail", []string{"olbare", "bare.mail@example.com", "ol.addr@example.com", "addr.mail@example.com"}, []string{"nobody"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := apptest.Open(t, filepath.Join(t.TempDir(), "usersync.db"), slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
			off := false
			c := connection.Connection{Name: "ol", DirectoryType: connection.DirectorySource, SystemType: "ldap",
				DNSName: "127.0.0.1", Port: s.Port, Security: "none", AllowPlainTextUserBinds: true,
				Username: slapd.AdminDN, Password: slapd.AdminPassword, GroupRules: &off,
				SearchPath: slapd.PeopleDN, SearchFilter: "(objectClass=inetOrgPerson)", Schedule: "off",
				Mappings: []mapping.Mapping{{Source: tc.userID, Target: mapping.FieldUserID}, {Source: "cn", Target: mapping.FieldName}}}
			if _, _, err := a.PutConnection(ctx, c); err != nil {
				t.Fatal(err)
			}
			if rep, err := a.Sync(ctx, "ol", app.SyncOptions{}); err != nil || rep.Created != 2 {
				t.Fatalf("sync: %v %+v", err, rep)
			}
			for _, login := range tc.logins {
				if _, err := a.Authenticate(ctx, login, pw); err != nil {
					t.Errorf("log in as %s: %v", login, err)
				}
				if _, err := a.Authenticate(ctx, login, "Wrong-Pw-123"); !errors.Is(err, app.ErrWrongPassword) {
					t.Errorf("log in as %s with a wrong password: %v, want %v", login, err, app.ErrWrongPassword)
				}
			}
			for _, login := range tc.unknowns {
				if _, err := a.Authenticate(ctx, login, pw); !errors.Is(err, app.ErrUnknownUser) {
					t.Errorf("log in as %s: %v, want %v", login, err, app.ErrUnknownUser)
				}
			}
		})
	}
}

package app_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/apptest"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// TestExplainReportsTheDecisionNotTheLastOutcome: explain answers what
// the next run decides for the entry as it is now. The last run's outcome
// is history: a user the last run failed, since repaired in the directory,
// is reported as the next run will treat it, with the failure shown as
// what happened before.
func TestExplainReportsTheDecisionNotTheLastOutcome(t *testing.T) {
	ldif := "dn: uid=noname," + slapd.PeopleDN + "\nobjectClass: inetOrgPerson\nuid: noname\ncn: x\nsn: x\n\n" +
		"dn: uid=named," + slapd.PeopleDN + "\nobjectClass: inetOrgPerson\nuid: named\ncn: y\nsn: y\ndisplayName: Named\n\n"
	s := slapd.StartLDIF(t, []byte(ldif))
	t.Setenv("USERSYNC_SECRET_KEY", "")
	ctx := context.Background()
	a := apptest.Open(t, filepath.Join(t.TempDir(), "usersync.db"), slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	off := false
	c := connection.Connection{Name: "corp", DirectoryType: connection.DirectorySource, SystemType: "ldap",
		DNSName: "127.0.0.1", Port: s.Port, Security: "none", Username: slapd.AdminDN, Password: slapd.AdminPassword,
		SearchPath: slapd.PeopleDN, SearchFilter: "(objectClass=inetOrgPerson)", Schedule: "off", GroupRules: &off,
		Mappings: []mapping.Mapping{{Source: "uid", Target: mapping.FieldUserID}, {Source: "displayName", Target: mapping.FieldName}}}
	if _, _, err := a.PutConnection(ctx, c); err != nil {
		t.Fatal(err)
	}
	rep, err := a.Sync(ctx, "corp", app.SyncOptions{})
	if err != nil || rep.Created != 1 || rep.Failed != 1 {
		t.Fatalf("first sync: %v %+v, want named created and noname failed (no name)", err, rep)
	}
	explain := func() app.Explanation {
		t.Helper()
		exs, err := a.ExplainUser(ctx, "corp", "noname")
		if err != nil || len(exs) != 1 {
			t.Fatalf("explain noname: %v %+v", err, exs)
		}
		return exs[0]
	}
	if ex := explain(); ex.Verdict != app.VerdictFailed {
		t.Fatalf("before the repair: %s: %s; want %s", ex.Verdict, ex.Reason, app.VerdictFailed)
	}

	l, err := ldapv3.DialURL(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Bind(slapd.AdminDN, slapd.AdminPassword); err != nil {
		t.Fatal(err)
	}
	mod := ldapv3.NewModifyRequest("uid=noname,"+slapd.PeopleDN, nil)
	mod.Add("displayName", []string{"Now Named"})
	if err := l.Modify(mod); err != nil {
		t.Fatal(err)
	}
	ex := explain()
	if ex.Verdict != app.VerdictPending || !strings.Contains(ex.Reason, "creates it") || !strings.Contains(ex.Reason, store.ActionFailed) {
		t.Fatalf("after the repair: %s: %s; want %s, saying the next run creates it and the last run failed it", ex.Verdict, ex.Reason, app.VerdictPending)
	}
	if len(ex.Outcomes) == 0 || ex.Outcomes[0].Action != store.ActionFailed {
		t.Fatalf("the history lost the failed outcome: %+v", ex.Outcomes)
	}
	if rep, err := a.Sync(ctx, "corp", app.SyncOptions{Full: true}); err != nil || rep.Created != 1 {
		t.Fatalf("the next run: %v %+v, want noname created as explain said", err, rep)
	}
}

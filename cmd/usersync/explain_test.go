package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/demodir"
	"github.com/usersync/usersync/internal/store"
)

// TestUsersExplain checks the reason `users explain` gives for each way a
// user can be missing, against the built-in Active Directory look-alike.
// Out of scope is not covered yet: scopes are being built on another branch
// (see the TODO(scope) in internal/app/explain.go).
func TestUsersExplain(t *testing.T) {
	ctx := context.Background()
	dir, err := demodir.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Stop()
	c := newCLI(t)
	conn := dir.Connection("demo")

	people := demoPeople(t, conn.Address(), conn.Username, conn.Password, conn.SearchPath)
	var disabledUser, noUPN, filtered, local, synced demoPerson
	for _, p := range people {
		switch {
		case p.uac == "514":
			disabledUser = p
		case noUPN.dn == "":
			noUPN = p
		case filtered.dn == "":
			filtered = p
		case local.dn == "":
			local = p
		case synced.dn == "":
			synced = p
		}
	}
	if disabledUser.dn == "" || synced.dn == "" {
		t.Fatal("the demo directory lacks a disabled person or enough people")
	}
	if err := dir.SetAttribute(noUPN.dn, "userPrincipalName"); err != nil {
		t.Fatal(err)
	}
	doc, _ := json.Marshal(conn)
	var m map[string]any
	json.Unmarshal(doc, &m)
	m["password"] = conn.Password
	delete(m, "hasPassword")
	m["searchFilter"] = fmt.Sprintf("(&(objectClass=user)(!(sAMAccountName=%s)))", ldapv3.EscapeFilter(filtered.login))
	c.apply(m)

	a, err := openApp(ctx, c.db, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.Store.CreateLocalUser(ctx, store.User{UserID: local.upn, Fields: map[string]string{}}); err != nil {
		t.Fatal(err)
	}
	if rep, code := c.sync("demo"); code != 0 {
		t.Fatalf("sync: exit %d %+v", code, rep)
	}

	tests := []struct {
		name, who, verdict, reason string
	}{
		{"filtered out", filtered.upn, app.VerdictFilteredOut, "filter (&(objectClass=user)(!(sAMAccountName="},
		{"disabled", disabledUser.upn, app.VerdictDisabled, "disabled in the directory"},
		{"no UPN", noUPN.login, app.VerdictNoUserID, "no userPrincipalName (UPN)"},
		{"local conflict", local.upn, app.VerdictLocalConflict, "a local user"},
		{"synced", synced.upn, app.VerdictSynced, "active"},
		{"unknown", "nobody*)(uid=*", app.VerdictNotInDirectory, "no entry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, code := c.run("users", "explain", tt.who, "--json")
			if code != 0 {
				t.Fatalf("explain: exit %d %s", code, out)
			}
			var exs []app.Explanation
			if err := json.Unmarshal([]byte(out), &exs); err != nil || len(exs) != 1 {
				t.Fatalf("explain --json: %v %s", err, out)
			}
			if exs[0].Verdict != tt.verdict || !strings.Contains(exs[0].Reason, tt.reason) {
				t.Fatalf("explain %s = %s: %s; want %s containing %q", tt.who, exs[0].Verdict, exs[0].Reason, tt.verdict, tt.reason)
			}
		})
	}
	// The verdicts that a run decided name that run.
	out, _ := c.run("users", "explain", disabledUser.upn)
	if !strings.Contains(out, "decided by run 1 (manual, full, succeeded)") || !strings.Contains(out, "skipped") {
		t.Fatalf("explain does not name the deciding run:\n%s", out)
	}
}

type demoPerson struct{ dn, login, upn, uac string }

func demoPeople(t *testing.T, addr, user, pw, base string) []demoPerson {
	t.Helper()
	l, err := ldapv3.DialURL("ldap://" + addr)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Bind(user, pw); err != nil {
		t.Fatal(err)
	}
	res, err := l.Search(ldapv3.NewSearchRequest(base, ldapv3.ScopeWholeSubtree, ldapv3.NeverDerefAliases, 0, 0, false,
		"(&(objectClass=user)(userPrincipalName=*))", []string{"sAMAccountName", "userPrincipalName", "userAccountControl"}, nil))
	if err != nil {
		t.Fatal(err)
	}
	var out []demoPerson
	for _, e := range res.Entries {
		out = append(out, demoPerson{e.DN, e.GetAttributeValue("sAMAccountName"), e.GetAttributeValue("userPrincipalName"), e.GetAttributeValue("userAccountControl")})
	}
	return out
}

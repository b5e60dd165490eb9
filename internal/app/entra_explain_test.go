package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/testdir/apptest"
	"github.com/usersync/usersync/internal/testdir/entratest"
	"github.com/usersync/usersync/internal/testdir/graph"
)

// `users explain` on an Entra connection answers as on LDAP, from the same
// decision a run makes: found by object id, userPrincipalName or mail
// whatever the connection's filter says, then synced, pending, disabled
// (accountEnabled false), filtered out (the filter, or a guest the
// connection does not include) or not in the tenant.
func TestEntraExplain(t *testing.T) {
	g := entratest.Start(t, graph.Options{})
	off := false
	put := func(u graph.User) string {
		t.Helper()
		id, err := g.PutUser(u)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	annID := put(graph.User{UserPrincipalName: "ann@contoso.test", DisplayName: "Ann", Mail: "ann.smith@contoso.test", Department: "Sales"})
	put(graph.User{UserPrincipalName: "bob@contoso.test", DisplayName: "Bob", Department: "Sales", AccountEnabled: &off})
	put(graph.User{UserPrincipalName: "dave@contoso.test", DisplayName: "Dave", Department: "IT"})
	put(graph.User{UserPrincipalName: "x_fabrikam.test#EXT#@contoso.test", DisplayName: "X", Department: "Sales", UserType: "Guest"})
	a := apptest.Open(t, "", nil)
	applyEntra(t, a, g, map[string]any{"filter": "department eq 'Sales'"})
	ctx := context.Background()
	if _, err := a.Sync(ctx, "entra", app.SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	put(graph.User{UserPrincipalName: "carol@contoso.test", DisplayName: "Carol", Department: "Sales"})

	tests := []struct {
		who, verdict, reason string
	}{
		{"ann@contoso.test", app.VerdictSynced, `"ann@contoso.test"`},
		{annID, app.VerdictSynced, `"ann@contoso.test"`},
		{"ann.smith@contoso.test", app.VerdictSynced, `"ann@contoso.test"`},
		{"carol@contoso.test", app.VerdictPending, "creates it"},
		{"bob@contoso.test", app.VerdictDisabled, "accountEnabled false"},
		{"dave@contoso.test", app.VerdictFilteredOut, "department eq 'Sales'"},
		{"x_fabrikam.test#EXT#@contoso.test", app.VerdictFilteredOut, "guest"},
		{"nobody@contoso.test", app.VerdictNotInDirectory, "no user of the tenant"},
		{"o'brien@contoso.test", app.VerdictNotInDirectory, "no user of the tenant"},
	}
	for _, tc := range tests {
		t.Run(tc.who, func(t *testing.T) {
			exs, err := a.ExplainUser(ctx, "entra", tc.who)
			if err != nil || len(exs) != 1 {
				t.Fatalf("%v %+v", err, exs)
			}
			if exs[0].Verdict != tc.verdict || !strings.Contains(exs[0].Reason, tc.reason) {
				t.Fatalf("verdict %s: %s; want %s with %q", exs[0].Verdict, exs[0].Reason, tc.verdict, tc.reason)
			}
		})
	}
}

// The scope's groups decide explain's verdict as they decide a run: a user
// outside them is out of scope, one inside synced.
func TestEntraExplainOutOfScope(t *testing.T) {
	g := entratest.Start(t, graph.Options{})
	ann, err := g.PutUser(graph.User{UserPrincipalName: "ann@contoso.test", DisplayName: "Ann"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.PutUser(graph.User{UserPrincipalName: "bob@contoso.test", DisplayName: "Bob"}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.PutGroup(graph.Group{DisplayName: "Sales", Members: []string{ann}}); err != nil {
		t.Fatal(err)
	}
	a := apptest.Open(t, "", nil)
	applyEntra(t, a, g, map[string]any{"scope": map[string]any{"groups": []string{"Sales"}}})
	ctx := context.Background()
	if _, err := a.Sync(ctx, "entra", app.SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	for who, want := range map[string]string{"ann@contoso.test": app.VerdictSynced, "bob@contoso.test": app.VerdictOutOfScope} {
		exs, err := a.ExplainUser(ctx, "entra", who)
		if err != nil || len(exs) != 1 || exs[0].Verdict != want {
			t.Fatalf("%s: %v %+v, want %s", who, err, exs, want)
		}
	}
}

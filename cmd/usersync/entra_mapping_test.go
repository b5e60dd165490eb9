package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/testdir/graph"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// One mapping document, expressions included, maps an Entra connection and
// an LDAP connection the same way where their attribute names agree
// (givenName, mail, displayName, preferredLanguage, and Entra's
// telephoneNumber, which the Graph reader gives for businessPhones).
func TestEntraAndLDAPShareAMappingDocument(t *testing.T) {
	mappings := []map[string]any{
		{"source": "mail", "target": "userId"},
		{"expression": `Join(" ", ToUpper([givenName]), [displayName])`, "target": "displayName"},
		{"source": "mail", "target": "email"},
		{"expression": `Switch([preferredLanguage], "en", "de-DE", "de", "fr-FR", "fr")`, "target": "language"},
		{"expression": `Coalesce([telephoneNumber], "none")`, "target": "telephoneNumber"},
		{"source": "givenName", "target": "firstName"},
	}
	people := []struct{ login, given, display, lang, phone string }{
		{"alice", "Alice", "Alice Doe", "de-DE", "+49 30 1234"},
		{"bob", "Bob", "Bob O'Hara, Jr.", "", ""},
		{"chloé", "Chloé", "Chloé Müller", "fr-FR", "+33 1 23 45 67 89"},
	}
	var ldif strings.Builder
	g := entraTenant(t)
	for _, p := range people {
		fmt.Fprintf(&ldif, "dn: uid=%s,%s\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: x\ngivenName: %s\ndisplayName: %s\nmail: %s@example.test\n",
			p.login, slapd.PeopleDN, p.login, p.display, p.given, p.display, p.login)
		u := graph.User{UserPrincipalName: p.login + "@contoso.test", GivenName: p.given, DisplayName: p.display, Mail: p.login + "@example.test", PreferredLanguage: p.lang}
		if p.lang != "" {
			fmt.Fprintf(&ldif, "preferredLanguage: %s\n", p.lang)
		}
		if p.phone != "" {
			fmt.Fprintf(&ldif, "telephoneNumber: %s\n", p.phone)
			u.BusinessPhones = []string{p.phone}
		}
		ldif.WriteString("\n")
		putUser(t, g, u)
	}
	s := slapd.StartLDIF(t, []byte(ldif.String()))

	ld, en := newCLI(t), newCLI(t)
	ldoc, edoc := connDoc(s), entraDoc(g)
	ldoc["mappings"], edoc["mappings"] = mappings, mappings
	ld.apply(ldoc)
	en.apply(edoc)
	ld.mustSync("corp")
	en.mustSync("entra")
	for _, p := range people {
		id := p.login + "@example.test"
		l, e := ld.show(id).User, en.show(id).User
		for _, f := range []string{"displayName", "email", "language", "telephoneNumber", "firstName"} {
			if l.Fields[f] != e.Fields[f] {
				t.Errorf("%s.%s: LDAP %q, Entra %q", id, f, l.Fields[f], e.Fields[f])
			}
		}
		if want := strings.ToUpper(p.given) + " " + p.display; e.Fields["displayName"] != want {
			t.Errorf("%s displayName = %q, want %q", id, e.Fields["displayName"], want)
		}
	}
}

// `usersync demo --entra` syncs from a local Graph, in full and then
// incrementally, and never prints the client secret.
func TestDemoEntra(t *testing.T) {
	t.Setenv("SSL_CERT_FILE", "")
	c := newCLI(t)
	out, code := c.run("demo", "--entra", "--no-serve")
	if code != 0 {
		t.Fatalf("demo --entra exited %d:\n%s", code, out)
	}
	for _, want := range []string{"signed in to tenant", "succeeded, full", "created 58", "skipped 1", "succeeded, incremental", "created 1, updated 1, deactivated 2", "Renamed In Entra"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(c.all.String(), graph.DefaultSecret) {
		t.Error("the demo printed the client secret")
	}
}

// A dry run on Entra plans without writing and saves no change token;
// connection list shows the connection without its secret.
func TestEntraDryRunAndList(t *testing.T) {
	g := entraTenant(t)
	putUser(t, g, graph.User{UserPrincipalName: "ann@contoso.test", DisplayName: "Ann"})
	c := newCLI(t)
	c.apply(entraDoc(g))
	rep, code := c.sync("entra", "--dry-run")
	if code != 0 || rep.Created != 1 || len(rep.Plan) != 1 {
		t.Fatalf("dry run: %d %+v", code, rep)
	}
	if len(c.users()) != 0 {
		t.Fatal("a dry run wrote users")
	}
	if rep := c.mustSync("entra"); rep.Mode != "full" || rep.Created != 1 {
		t.Fatalf("the run after a dry run: %+v", rep)
	}
	out := c.mustRun("connection", "list")
	if !strings.Contains(out, strings.TrimPrefix(g.URL(), "https://")) || strings.Contains(out, graph.DefaultSecret) {
		t.Fatalf("connection list:\n%s", out)
	}
}

// Provision on demand on Entra: `users add` finds users whose name, UPN or
// mail starts with the text (a quote in it is escaped once, not injected),
// adds the one match, lists several, and refuses a disabled account with
// the reason.
func TestEntraUsersAdd(t *testing.T) {
	g := entraTenant(t)
	off := false
	putUser(t, g, graph.User{UserPrincipalName: "ann@contoso.test", DisplayName: "Ann O'Neil", Mail: "ann@contoso.test"})
	putUser(t, g, graph.User{UserPrincipalName: "anna@contoso.test", DisplayName: "Anna", Mail: "anna@contoso.test"})
	putUser(t, g, graph.User{UserPrincipalName: "bob@contoso.test", DisplayName: "Bob", AccountEnabled: &off})
	putUser(t, g, graph.User{UserPrincipalName: "guest_x#EXT#@contoso.test", DisplayName: "Ann Guest", UserType: "Guest"})
	c := newCLI(t)
	c.apply(entraDoc(g))

	if out, code := c.run("users", "add", "--connection", "entra", "Ann O'"); code != 0 || !strings.Contains(out, "ann@contoso.test") {
		t.Fatalf("add Ann O': %d %s", code, out)
	}
	if u := user(t, c.users(), "ann@contoso.test"); u.Status != "active" {
		t.Fatalf("ann = %+v", u)
	}
	if out, code := c.run("users", "add", "--connection", "entra", "Ann"); code != 2 || !strings.Contains(out, "anna@contoso.test") || strings.Contains(out, "EXT") {
		t.Fatalf("several matches (the guest left out): %d %s", code, out)
	}
	if out := c.runNotAdded("users", "add", "--connection", "entra", "bob"); !strings.Contains(strings.ToLower(out), "disabled") {
		t.Fatalf("bob: %s", out)
	}
	if out, code := c.run("users", "add", "--connection", "entra", "nobody"); code != 1 {
		t.Fatalf("no match: %d %s", code, out)
	}
}

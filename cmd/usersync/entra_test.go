package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/testdir/certs"
	"github.com/usersync/usersync/internal/testdir/entratest"

	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/graph"
)

// entraTenant starts a local Graph with small pages, so that every read
// follows nextLinks and a group's members are split across pages, trusted
// through SSL_CERT_FILE as an operator would.
func entraTenant(t *testing.T) *graph.Server {
	t.Helper()
	return entratest.Start(t, graph.Options{PageSize: 3, MembersPerPage: 2})
}

func entraDoc(s *graph.Server) map[string]any {
	doc := entratest.Doc(s)
	doc["pageSize"] = 2
	return doc
}

func putUser(t *testing.T, s *graph.Server, u graph.User) string {
	t.Helper()
	id, err := s.PutUser(u)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Acceptance 1-3 of the Entra source: apply, check and sync; the first run
// creates every enabled member user; the next reads only the delta and
// ends with the store equal to the directory; a failure half-way
// deactivates nobody; 410 leads to a full read; 429 is waited out.
func TestEntraApplyCheckSync(t *testing.T) {
	s := entraTenant(t)
	off := false
	ids := map[string]string{}
	for _, u := range []graph.User{
		{UserPrincipalName: "ann@contoso.test", DisplayName: "Ann", GivenName: "Ann", Surname: "Lee", Mail: "ann@contoso.test", JobTitle: "CFO"},
		{UserPrincipalName: "bob@contoso.test", DisplayName: "Bob", AccountEnabled: &off},
		{UserPrincipalName: "carl@contoso.test", DisplayName: "Carl"},
		{UserPrincipalName: "dora@contoso.test", DisplayName: "Dora"},
		{UserPrincipalName: "eve@contoso.test", DisplayName: "Eve"},
		{UserPrincipalName: "fay@contoso.test", DisplayName: "Fay"},
		{UserPrincipalName: "guest_x.com#EXT#@contoso.test", DisplayName: "Guest", UserType: "Guest"},
	} {
		ids[strings.Split(u.UserPrincipalName, "@")[0]] = putUser(t, s, u)
	}
	c := newCLI(t)
	c.apply(entraDoc(s))
	if out := c.mustRun("connection", "show", "entra"); strings.Contains(out, graph.DefaultSecret) || !strings.Contains(out, `"hasPassword": true`) {
		t.Fatalf("connection show reveals the secret or hides that there is one:\n%s", out)
	}
	out, code := c.run("connection", "check", "entra")
	if code != 0 || !strings.Contains(out, "signed in to tenant") || !strings.Contains(out, "reads users") {
		t.Fatalf("check: %d %s", code, out)
	}

	rep := c.mustSync("entra")
	wantCounts(t, rep, store.Counts{Created: 5, Skipped: 1})
	us := c.users()
	if u := user(t, us, "ann@contoso.test"); u.Status != "active" || u.Email != "ann@contoso.test" {
		t.Fatalf("ann = %+v", u)
	}
	if _, ok := us["guest_x.com#ext#@contoso.test"]; ok {
		t.Fatal("a guest was provisioned without includeGuests")
	}
	if _, ok := us["bob@contoso.test"]; ok {
		t.Fatal("a disabled account was provisioned")
	}

	// Nothing changed: an incremental run that reads nothing.
	rep = c.mustSync("entra")
	if rep.Mode != store.ModeIncremental || rep.EntriesRead != 0 {
		t.Fatalf("unchanged: mode %s, read %d", rep.Mode, rep.EntriesRead)
	}

	// Renames, a disabled account, a soft delete, a hard delete, a new user.
	must(t, s.UpdateUser(ids["ann"], map[string]any{"displayName": "Ann Lee-Smith", "jobTitle": "CEO"}))
	must(t, s.UpdateUser(ids["carl"], map[string]any{"accountEnabled": false}))
	must(t, s.DeleteUser(ids["dora"]))
	must(t, s.PurgeUser(ids["eve"]))
	putUser(t, s, graph.User{UserPrincipalName: "gil@contoso.test", DisplayName: "Gil"})
	rep = c.mustSync("entra")
	if rep.Mode != store.ModeIncremental {
		t.Fatalf("mode %s, warnings %v", rep.Mode, rep.Warnings)
	}
	wantCounts(t, rep, store.Counts{Created: 1, Updated: 1, Deactivated: 3})
	us = c.users()
	for upn, status := range map[string]string{"ann@contoso.test": "active", "carl@contoso.test": "inactive", "dora@contoso.test": "inactive",
		"eve@contoso.test": "inactive", "fay@contoso.test": "active", "gil@contoso.test": "active"} {
		if u := user(t, us, upn); u.Status != status {
			t.Errorf("%s is %s, want %s", upn, u.Status, status)
		}
	}

	// A page failing half-way: the run fails and deactivates nobody, and
	// the token is kept, so the next run reads the same changes.
	must(t, s.DeleteUser(ids["fay"]))
	for i := 0; i < 4; i++ {
		putUser(t, s, graph.User{UserPrincipalName: "new" + string(rune('a'+i)) + "@contoso.test", DisplayName: "New"})
	}
	s.FailPage(graph.Fault{Resource: "users", Page: 2, Status: 500})
	rep, code = c.sync("entra")
	if code == 0 || rep.Status != store.RunFailed || rep.Deactivated != 0 {
		t.Fatalf("half-way failure: code %d, %+v", code, rep)
	}
	if u := user(t, c.users(), "fay@contoso.test"); u.Status != "active" {
		t.Fatal("a failed read deactivated a user")
	}
	rep = c.mustSync("entra")
	if rep.Deactivated != 1 || rep.Mode != store.ModeIncremental {
		t.Fatalf("after the failure: %+v", rep)
	}

	// 429 with Retry-After is waited out.
	s.Throttle(1, 1e9)
	rep = c.mustSync("entra")
	if rep.Status != store.RunSucceeded {
		t.Fatalf("throttled: %+v", rep)
	}

	// An expired delta token (410) leads to a full read, said in the mode.
	s.ExpireDeltaTokens()
	rep = c.mustSync("entra")
	if rep.Mode != store.ModeFull || !strings.Contains(strings.Join(rep.Warnings, " "), "full run") {
		t.Fatalf("after 410: mode %s, warnings %v", rep.Mode, rep.Warnings)
	}

	// A full read failing half-way deactivates nobody either, though the
	// users on the pages it did not read are missing from it.
	active := countStatus(c.users(), "active")
	s.FailPage(graph.Fault{Resource: "users", Page: 3, Reset: true})
	rep, code = c.sync("entra", "--full")
	if code == 0 || rep.Status != store.RunFailed || rep.Deactivated != 0 || countStatus(c.users(), "active") != active {
		t.Fatalf("full read failing half-way: code %d, %+v", code, rep)
	}
}

// Each failure of `connection check` on Entra is one line that names the
// field or the Entra admin center setting to fix (reference-error-codes:
// AADSTS90002 unknown tenant, 700016 unknown application, 7000215 wrong
// secret, 7000222 expired secret, 700027 unregistered certificate).
func TestEntraCheckFailures(t *testing.T) {
	s := entraTenant(t)
	registered, other := rsaCert(t), rsaCert(t)
	ec, err := certs.New("ec cert", []string{"usersync"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	const expiredApp, certApp, poorApp = "22222222-0000-4000-8000-000000000001", "22222222-0000-4000-8000-000000000002", "22222222-0000-4000-8000-000000000003"
	must(t, s.AddApp(graph.App{ClientID: expiredApp, Secret: "old", SecretExpires: time.Now().Add(-time.Hour), Roles: []string{"User.Read.All"}}))
	must(t, s.AddApp(graph.App{ClientID: certApp, CertPEM: registered.CertPEM, Roles: []string{"User.Read.All", "GroupMember.Read.All"}}))
	must(t, s.AddApp(graph.App{ClientID: poorApp, Secret: "poor", Roles: []string{"GroupMember.Read.All"}}))
	// Group rules are on by default, so reading users alone is not enough.
	const usersOnlyApp = "22222222-0000-4000-8000-000000000004"
	must(t, s.AddApp(graph.App{ClientID: usersOnlyApp, Secret: "users", Roles: []string{"User.Read.All"}}))
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadURL := "https://" + dead.Addr().String()
	dead.Close()

	cases := []struct {
		name string
		set  map[string]any
		want []string // fragments of the one line
		ok   bool
	}{
		{"works", nil, nil, true},
		{"certificate", map[string]any{"clientId": certApp, "clientSecret": nil, "certificate": string(registered.CertPEM) + string(registered.KeyPEM)}, nil, true},
		{"wrong tenant", map[string]any{"tenantId": "00000000-1111-4222-8333-444444444444"}, []string{"tenantId", "not found", "Directory (tenant) ID"}, false},
		{"unknown application", map[string]any{"clientId": "99999999-1111-4222-8333-444444444444"}, []string{"clientId", "Application (client) ID"}, false},
		{"wrong secret", map[string]any{"clientSecret": "not-the-secret"}, []string{"clientSecret", "wrong", "Certificates & secrets"}, false},
		{"expired secret", map[string]any{"clientId": expiredApp, "clientSecret": "old"}, []string{"clientSecret", "expired", "Certificates & secrets"}, false},
		{"certificate not registered", map[string]any{"clientId": certApp, "clientSecret": nil, "certificate": string(other.CertPEM) + string(other.KeyPEM)}, []string{"certificate", "not registered", "Certificates & secrets"}, false},
		{"missing permission", map[string]any{"clientId": poorApp, "clientSecret": "poor"}, []string{"User.Read.All", "API permissions", "admin consent"}, false},
		{"missing group permission with group rules on", map[string]any{"clientId": usersOnlyApp, "clientSecret": "users"}, []string{"GroupMember.Read.All", "API permissions", "admin consent"}, false},
		{"users only, group rules off", map[string]any{"clientId": usersOnlyApp, "clientSecret": "users", "groupRules": false}, nil, true},
		{"not an RSA key", map[string]any{"clientId": certApp, "clientSecret": nil, "certificate": string(ec.CertPEM) + string(ec.KeyPEM)}, []string{"certificate", "RSA"}, false},
		{"graph unreachable", map[string]any{"graphURL": deadURL}, []string{"graphURL", "unreachable"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newCLI(t)
			doc := entraDoc(s)
			for k, v := range tc.set {
				if v == nil {
					delete(doc, k)
				} else {
					doc[k] = v
				}
			}
			raw, _ := json.Marshal(doc)
			path := filepath.Join(t.TempDir(), "conn.json")
			must(t, os.WriteFile(path, raw, 0o600))
			out, code := c.run("connection", "apply", "-f", path)
			if code == 0 {
				out, code = c.run("connection", "check", "entra")
			}
			if tc.ok {
				if code != 0 {
					t.Fatalf("check: %d %s", code, out)
				}
				return
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if code == 0 || len(lines) != 1 {
				t.Fatalf("want one line and a failure, got %d:\n%s", code, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(lines[0], w) {
					t.Errorf("%q lacks %q", lines[0], w)
				}
			}
			if strings.Contains(out, "not-the-secret") || strings.Contains(out, "PRIVATE KEY") {
				t.Errorf("the check printed a credential: %s", out)
			}
		})
	}
}

// rsaCert is a self-signed RSA certificate and its key, PEM, as an
// administrator would create for an app registration.
func rsaCert(t *testing.T) (p struct{ CertPEM, KeyPEM []byte }) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "usersync"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	p.CertPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	p.KeyPEM = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	return p
}

// Graph's documented quirks change nothing: changes replayed by a later
// delta, a user twice in one response, @removed objects in the initial
// round, and objects (a large group's member parts among them) in any
// order; every run ends with the store equal to the tenant.
func TestEntraQuirks(t *testing.T) {
	s := entraTenant(t)
	s.SetQuirks(graph.Quirks{Replays: true, Duplicates: true, RemovedInInitial: true, Shuffle: true})
	var ids []string
	for i := 0; i < 12; i++ {
		ids = append(ids, putUser(t, s, graph.User{UserPrincipalName: fmt.Sprintf("u%02d@contoso.test", i), DisplayName: fmt.Sprintf("U%02d", i)}))
	}
	must(t, s.PurgeUser(ids[11])) // removed before the first run
	big, err := s.PutGroup(graph.Group{DisplayName: "Engineering", Members: ids[:10]})
	must(t, err)
	c := newCLI(t)
	c.mustRun("permission-set", "add", "Engineering")
	c.apply(entraDoc(s))

	wantStore := func(when string, active map[int]bool, engineering map[int]bool) {
		t.Helper()
		us := c.users()
		for i := 0; i < 11; i++ {
			upn := fmt.Sprintf("u%02d@contoso.test", i)
			u, ok := us[upn]
			status := "inactive"
			if active[i] {
				status = "active"
			}
			if !ok || u.Status != status {
				t.Fatalf("%s: %s = %+v (present %v), want %s", when, upn, u, ok, status)
			}
			has := slices.Contains(c.show(upn).has(), "permissionSet:Engineering:rule:entra")
			if has != engineering[i] {
				t.Fatalf("%s: %s in Engineering = %v, want %v", when, upn, has, engineering[i])
			}
		}
		if _, ok := us["u11@contoso.test"]; ok {
			t.Fatalf("%s: a user deleted before the first run was provisioned", when)
		}
	}
	all := func(n int) map[int]bool {
		m := map[int]bool{}
		for i := 0; i < n; i++ {
			m[i] = true
		}
		return m
	}
	rep := c.mustSync("entra")
	if rep.Created != 11 {
		t.Fatalf("first run: %+v", rep)
	}
	wantStore("first run", all(11), all(10))

	must(t, s.UpdateUser(ids[0], map[string]any{"displayName": "Renamed"}))
	must(t, s.DeleteUser(ids[1]))
	must(t, s.RemoveMember(big, ids[2]))
	must(t, s.AddMember(big, ids[10]))
	active, eng := all(11), all(11)
	delete(active, 1)
	delete(eng, 1)
	delete(eng, 2)
	for i := 0; i < 3; i++ { // replays: the same changes come back
		rep = c.mustSync("entra")
		if rep.Mode != store.ModeIncremental || rep.Failed != 0 {
			t.Fatalf("run %d after the changes: %+v", i, rep)
		}
		wantStore(fmt.Sprintf("run %d after the changes", i), active, eng)
	}
}

// The deletion guard holds an Entra run that would deactivate too many
// users, soft deletes included, until an operator approves it.
func TestEntraDeletionGuard(t *testing.T) {
	s := entraTenant(t)
	var ids []string
	for i := 0; i < 20; i++ {
		ids = append(ids, putUser(t, s, graph.User{UserPrincipalName: fmt.Sprintf("g%02d@contoso.test", i), DisplayName: "G"}))
	}
	c := newCLI(t)
	c.apply(entraDoc(s))
	c.mustSync("entra")
	for i := 0; i < 8; i++ {
		if i%2 == 0 {
			must(t, s.DeleteUser(ids[i]))
		} else {
			must(t, s.PurgeUser(ids[i]))
		}
	}
	rep, code := c.sync("entra")
	if code != 3 || rep.Status != store.RunAwaitingApproval || rep.PendingDeactivations != 8 || countStatus(c.users(), "active") != 20 {
		t.Fatalf("guard: code %d, %+v", code, rep)
	}
	c.mustRun("runs", "approve", fmt.Sprint(rep.ID))
	if n := countStatus(c.users(), "active"); n != 12 {
		t.Fatalf("after approval %d active, want 12", n)
	}
}

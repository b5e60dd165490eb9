package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/testdir/certs"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// ldapServed is a `usersync serve` with its LDAP interface on an LDAPS
// port and a StartTLS port, over the store of a cli.
type ldapServed struct {
	ldaps, plain string
	caFile       string
	pool         *x509.CertPool
	bindDN, pw   string
}

const viewBase = "ou=people,o=example"

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// publish applies a view over the connections and a service account, then
// starts serve with the LDAP interface.
func publish(t *testing.T, c *cli, view map[string]any) *ldapServed {
	t.Helper()
	raw, _ := json.Marshal(view)
	path := filepath.Join(t.TempDir(), "view.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, code := c.run("view", "apply", "-f", path); code != 0 {
		t.Fatalf("view apply: %d %s", code, out)
	}
	s := &ldapServed{pw: "Ldap-Reader-Secret-7"}
	out, code := c.runIn(s.pw+"\n", "view", "account", "set", view["name"].(string), "reader")
	if code != 0 {
		t.Fatalf("view account set: %d %s", code, out)
	}
	s.bindDN = regexp.MustCompile(`binds as (\S+)`).FindStringSubmatch(out)[1]

	pair, err := certs.New("usersync LDAP test CA", []string{"localhost"}, []net.IP{net.ParseIP("127.0.0.1")})
	if err != nil {
		t.Fatal(err)
	}
	ca, cert, key, err := pair.WriteFiles(filepath.Join(t.TempDir(), "tls"))
	if err != nil {
		t.Fatal(err)
	}
	s.caFile, s.pool = ca, x509.NewCertPool()
	s.pool.AppendCertsFromPEM(pair.CAPEM)
	s.ldaps, s.plain = freePort(t), freePort(t)
	t.Setenv("USERSYNC_ADMIN_PASSWORD", "Admin-Password-For-Tests-1")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var outb lockedBuffer
	go func() {
		done <- run(ctx, []string{"serve", "--db", c.db, "--listen", "127.0.0.1:0", "--no-scheduler", "--tls-cert", cert, "--tls-key", key,
			"--ldap-listen", s.ldaps, "--ldap-starttls-listen", s.plain}, strings.NewReader(""), &outb, &outb)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop")
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(outb.String(), "ldap://"+s.plain) {
		select {
		case code := <-done:
			t.Fatalf("serve exited %d: %s", code, outb.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve's LDAP interface did not start: %s", outb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s
}

// ldapsearch runs OpenLDAP's client trusting the test CA.
func (s *ldapServed) ldapsearch(t *testing.T, args ...string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("ldapsearch"); err != nil {
		slapd.Require(t)
		t.Fatalf("ldapsearch: %v", err)
	}
	cmd := exec.Command("ldapsearch", append([]string{"-o", "nettimeout=10", "-LLL"}, args...)...)
	cmd.Env = append(os.Environ(), "LDAPTLS_CACERT="+s.caFile, "LDAPTLS_REQCERT=demand")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func countDNs(out, prefix string) int {
	n := 0
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "dn: "+prefix) {
			n++
		}
	}
	return n
}

// Acceptance 1 and 3 of the LDAP interface: OpenLDAP's ldapsearch and
// go-ldap read users and groups over LDAPS and StartTLS, with paging, from
// a view fed by a real slapd through an ordinary LDAP connection; searches
// without a bind or with a wrong password are refused. On both stores.
func TestLDAPInterfaceServesSyncedUsers(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { testLDAPInterfaceServesSyncedUsers(t, newCLIOn(t, kind)) })
	}
}

func testLDAPInterfaceServesSyncedUsers(t *testing.T, c *cli) {
	src := slapd.Start(t, 25, 0)
	c.apply(connDoc(src))
	if rep, code := c.sync("corp"); code != 0 || rep.Counts.Created != 25 {
		t.Fatalf("sync: %d %+v", code, rep)
	}
	for _, args := range [][]string{{"group", "add", "Sales"}, {"users", "assign", slapd.UID(1), "--group", "Sales"},
		{"users", "assign", slapd.UID(2), "--group", "Sales"}} {
		if out, code := c.run(args...); code != 0 {
			t.Fatalf("%v: %d %s", args, code, out)
		}
	}
	s := publish(t, c, map[string]any{"name": "people", "baseDN": viewBase, "connections": []string{"corp"}})
	auth := []string{"-x", "-D", s.bindDN, "-w", s.pw}

	t.Run("ldapsearch over LDAPS with paging", func(t *testing.T) {
		out, err := s.ldapsearch(t, append(auth, "-H", "ldaps://"+s.ldaps, "-b", viewBase, "-E", "pr=10/noprompt",
			"(objectClass=inetOrgPerson)", "uid", "mail", "telephoneNumber")...)
		if err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		if n := countDNs(out, "uid=user"); n != 25 {
			t.Errorf("%d users, want 25:\n%s", n, out)
		}
		if !strings.Contains(out, "mail: user000007@example.com") || !strings.Contains(out, "telephoneNumber: +1 555 0000007") {
			t.Errorf("user000007's mapped attributes missing:\n%s", out)
		}
		// -LLL hides the page markers; three pages of ten answer 25 users.
	})
	t.Run("ldapsearch over StartTLS reads groups", func(t *testing.T) {
		out, err := s.ldapsearch(t, append(auth, "-ZZ", "-H", "ldap://"+s.plain, "-b", viewBase, "-E", "pr=1/noprompt",
			"(objectClass=groupOfNames)", "member")...)
		if err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		if !strings.Contains(out, "dn: cn=Sales,ou=groups,"+viewBase) || strings.Count(out, "member: uid=user00000") != 2 {
			t.Errorf("group Sales with two members missing:\n%s", out)
		}
		out, err = s.ldapsearch(t, append(auth, "-ZZ", "-H", "ldap://"+s.plain, "-b", viewBase, "(uid=user000001)", "memberOf")...)
		if err != nil || !strings.Contains(out, "memberOf: cn=Sales,ou=groups,"+viewBase) {
			t.Errorf("memberOf of user000001: %v\n%s", err, out)
		}
	})
	t.Run("root DSE and subschema", func(t *testing.T) {
		out, err := s.ldapsearch(t, "-x", "-H", "ldaps://"+s.ldaps, "-b", "", "-s", "base")
		if err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		for _, want := range []string{"supportedLDAPVersion: 3", "supportedControl: 1.2.840.113556.1.4.319", "subschemaSubentry: cn=Subschema", "vendorName: usersync"} {
			if !strings.Contains(out, want) {
				t.Errorf("root DSE lacks %q:\n%s", want, out)
			}
		}
		out, err = s.ldapsearch(t, "-x", "-H", "ldaps://"+s.ldaps, "-b", "cn=subschema", "-s", "base", "objectClasses", "attributeTypes")
		if err != nil || !strings.Contains(out, "NAME 'inetOrgPerson'") || !strings.Contains(out, "NAME 'entryUUID'") {
			t.Errorf("subschema: %v\n%s", err, out)
		}
	})
	t.Run("refused without a bind or with a wrong password", func(t *testing.T) {
		out, err := s.ldapsearch(t, "-x", "-H", "ldaps://"+s.ldaps, "-b", viewBase, "(uid=user000001)")
		if err == nil || !strings.Contains(out, "Insufficient access (50)") {
			t.Errorf("anonymous search: %v\n%s", err, out)
		}
		out, err = s.ldapsearch(t, "-x", "-H", "ldaps://"+s.ldaps, "-D", s.bindDN, "-w", "not-the-password", "-b", viewBase, "(uid=*)")
		if err == nil || !strings.Contains(out, "Invalid credentials (49)") {
			t.Errorf("wrong password: %v\n%s", err, out)
		}
		out, err = s.ldapsearch(t, append(auth, "-H", "ldap://"+s.plain, "-b", viewBase, "(uid=*)")...)
		if err == nil || !strings.Contains(out, "Confidentiality required (13)") {
			t.Errorf("bind on the plain port without StartTLS: %v\n%s", err, out)
		}
	})
	t.Run("go-ldap over LDAPS and StartTLS", func(t *testing.T) {
		l, err := ldapv3.DialURL("ldaps://"+s.ldaps, ldapv3.DialWithTLSConfig(&tls.Config{RootCAs: s.pool}))
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		if err := l.Bind(s.bindDN, s.pw); err != nil {
			t.Fatal(err)
		}
		res, err := l.SearchWithPaging(ldapv3.NewSearchRequest(viewBase, ldapv3.ScopeWholeSubtree, ldapv3.NeverDerefAliases, 0, 0, false,
			"(objectClass=inetOrgPerson)", []string{"uid", "entryUUID"}, nil), 7)
		if err != nil || len(res.Entries) != 25 {
			t.Fatalf("paged search over LDAPS: %v, %d entries", err, len(res.Entries))
		}
		p, err := ldapv3.DialURL("ldap://" + s.plain)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		if err := p.StartTLS(&tls.Config{RootCAs: s.pool, ServerName: "127.0.0.1"}); err != nil {
			t.Fatal(err)
		}
		if err := p.Bind(s.bindDN, s.pw); err != nil {
			t.Fatal(err)
		}
		g, err := p.Search(ldapv3.NewSearchRequest(viewBase, ldapv3.ScopeWholeSubtree, ldapv3.NeverDerefAliases, 0, 0, false,
			"(&(objectClass=groupOfNames)(cn=sales))", []string{"member"}, nil))
		if err != nil || len(g.Entries) != 1 || len(g.Entries[0].GetAttributeValues("member")) != 2 {
			t.Fatalf("group over StartTLS: %v %v", err, g)
		}
	})
}

// Acceptance 2 of the LDAP interface: a second usersync with an ordinary
// LDAP source connection pointing at the first one's LDAP interface (over
// StartTLS, trusting its CA) syncs the same users, and its incremental run
// reads only what changed.
func TestSecondUsersyncSyncsFromLDAPInterface(t *testing.T) {
	src := slapd.Start(t, 25, 0)
	first := newCLI(t)
	first.apply(connDoc(src))
	if rep, code := first.sync("corp"); code != 0 || rep.Counts.Created != 25 {
		t.Fatalf("first sync: %d %+v", code, rep)
	}
	s := publish(t, first, map[string]any{"name": "people", "baseDN": viewBase, "connections": []string{"corp"}})
	port, _ := strconv.Atoi(strings.Split(s.plain, ":")[1])
	ca, err := os.ReadFile(s.caFile)
	if err != nil {
		t.Fatal(err)
	}
	second := newCLI(t)
	second.apply(map[string]any{
		"name": "bridge", "directoryType": "source", "systemType": "ldap",
		"dnsName": "127.0.0.1", "port": port, "security": "startTls", "caCertificate": string(ca),
		"username": s.bindDN, "password": s.pw, "searchPath": viewBase, "searchFilter": "(objectClass=inetOrgPerson)", "groupRules": false,
	})
	if out, code := second.run("connection", "check", "bridge"); code != 0 {
		t.Fatalf("connection check against the LDAP interface: %d %s", code, out)
	}
	// modifyTimestamp has whole seconds and the watermark is read again
	// from its own second: let the users' second pass before the watermark.
	time.Sleep(1100 * time.Millisecond)
	rep, code := second.sync("bridge")
	if code != 0 || rep.Counts.Created != 25 {
		t.Fatalf("second usersync's first sync: %d %+v", code, rep)
	}
	want := viewUsers(t, first, "corp")
	got := viewUsers(t, second, "bridge")
	for id, u := range want {
		g, ok := got[id]
		if !ok {
			t.Errorf("%s missing from the second usersync", id)
			continue
		}
		for _, f := range []string{"email", "firstName", "lastName", "displayName", "telephoneNumber"} {
			if g[f] != u[f] {
				t.Errorf("%s %s = %q, want %q", id, f, g[f], u[f])
			}
		}
	}

	// A change in the source reaches the second usersync through the first.
	l := adminConn(t, src)
	mod := ldapv3.NewModifyRequest(slapd.UserDN(3), nil)
	mod.Replace("telephoneNumber", []string{"+1 555 7777777"})
	if err := l.Modify(mod); err != nil {
		t.Fatal(err)
	}
	if rep, code := first.sync("corp"); code != 0 || rep.Counts.Updated != 1 {
		t.Fatalf("first usersync after the change: %d %+v", code, rep)
	}
	// The second usersync's run is incremental: it asks the LDAP interface
	// for (modifyTimestamp>=its last watermark) and reads only the change.
	rep, code = second.sync("bridge")
	if code != 0 || rep.Counts.Updated != 1 || rep.Mode != "incremental" || rep.Counts.EntriesRead != 1 {
		t.Fatalf("second usersync after the change: %d mode %s, %+v, warnings %v", code, rep.Mode, rep.Counts, rep.Warnings)
	}
	if got := viewUsers(t, second, "bridge")[slapd.UID(3)]["telephoneNumber"]; got != "+1 555 7777777" {
		t.Errorf("changed phone number in the second usersync = %q", got)
	}
}

// viewUsers lists a connection's users as userId → fields (userId included).
func viewUsers(t *testing.T, c *cli, conn string) map[string]map[string]string {
	t.Helper()
	out, code := c.run("users", "list", "--connection", conn, "--json")
	if code != 0 {
		t.Fatalf("users list: %d %s", code, out)
	}
	var users []struct {
		UserID string            `json:"userId"`
		Fields map[string]string `json:"fields"`
	}
	if err := json.Unmarshal([]byte(out), &users); err != nil {
		t.Fatalf("users list --json: %v\n%s", err, out)
	}
	m := map[string]map[string]string{}
	for _, u := range users {
		m[u.UserID] = u.Fields
	}
	return m
}

package main

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/certmap"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/certs"
	"github.com/usersync/usersync/internal/testdir/samba"
)

// TestCertAddFailedWriteRecordsNothing: a certificate mapping is recorded
// only once it is written to the directory. When Active Directory refuses
// the write, `cert add` fails, `cert list` shows no active certificate, and
// the entry holds no mapping; once the write succeeds, the certificate is
// active and owned.
func TestCertAddFailedWriteRecordsNothing(t *testing.T) {
	dc := samba.Start(t)
	users := []samba.UserSpec{
		adUser("dora.denied", "dora.denied@example.test", "ex6", nil),
		adUser("otto.ok", "otto.ok@example.test", "ex6", nil),
	}
	dns := dc.AddUsers(t, len(users), func(i int) samba.UserSpec { return users[i] })
	c := newADCLI(t, dc)
	c.apply(c.doc("rp", "relyingParty", "(&(objectClass=user)(department=ex6))", ""))
	dc.DenyWriteProperty(t, dns[0], dc.AdminDN)

	pair, err := certs.New("usersync test user CA", []string{"user.example.test"}, []net.IP{net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	pemFile := filepath.Join(t.TempDir(), "user.pem")
	if err := os.WriteFile(pemFile, pair.CertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := certmap.ParseCertificate(pair.CertPEM)
	if err != nil {
		t.Fatal(err)
	}
	mapping, err := certmap.Mapping(cert, certmap.FormIssuerSerial)
	if err != nil {
		t.Fatal(err)
	}
	listed := func(user string) []store.Certificate {
		t.Helper()
		out, code := c.run("cert", "list", "--connection", "rp", "--user", user, "--json")
		if code != 0 {
			t.Fatalf("cert list: %d %s", code, out)
		}
		var list []store.Certificate
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			t.Fatalf("cert list --json: %v\n%s", err, out)
		}
		return list
	}

	out, code := c.run("cert", "add", "--connection", "rp", "--user", "dora.denied@example.test", "-f", pemFile)
	if code == 0 || !strings.Contains(out, "altSecurityIdentities") {
		t.Fatalf("cert add with a refused write: exit %d\n%s", code, out)
	}
	for _, cert := range listed("dora.denied@example.test") {
		if cert.Status == store.CertActive {
			t.Fatalf("a certificate whose write failed is listed as active: %+v", cert)
		}
	}
	if got := values(t, dc, dns[0], "altSecurityIdentities"); len(got) != 0 {
		t.Fatalf("altSecurityIdentities of the refused entry = %q", got)
	}
	if rep, code := c.sync("rp"); code != 0 || rep.Failed != 0 {
		t.Fatalf("a run after the failed add tries to write it again: exit %d %+v", code, rep)
	}

	if out, code := c.run("cert", "add", "--connection", "rp", "--user", "otto.ok@example.test", "-f", pemFile); code != 0 {
		t.Fatalf("cert add: %d %s", code, out)
	}
	got := listed("otto.ok@example.test")
	if len(got) != 1 || got[0].Status != store.CertActive || !got[0].Owned() || got[0].Mapping != mapping {
		t.Fatalf("cert list after a written mapping: %+v", got)
	}
	wantValues(t, dc, dns[1], "altSecurityIdentities", mapping)
}

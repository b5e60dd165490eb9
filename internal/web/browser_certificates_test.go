package web

import (
	"net"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/certs"
	"github.com/usersync/usersync/internal/testdir/samba"
)

// TestBrowserEnrolAndRevokeCertificate: against a Samba AD DC, an
// administrator enrols a user's certificate on a relying party from the
// Certificates page (pasting its PEM), sees it listed as active, revokes
// it from the list, and both are in the audit log.
func TestBrowserEnrolAndRevokeCertificate(t *testing.T) {
	dc := samba.Start(t)
	dc.AddUsers(t, 1, func(int) samba.UserSpec {
		return samba.UserSpec{SAMAccountName: "carol.cert", UserPrincipalName: "carol.cert@example.test", Department: "ex6"}
	})
	e := newTestEnv(t)
	conn := func(name, typ string) connection.Connection {
		c := connection.Connection{Name: name, FriendlyName: name, DirectoryType: typ, SystemType: connection.SystemLDAP,
			DNSName: dc.Host, Port: 636, Security: connection.SecurityLDAPS, CACertificate: string(dc.CAPEM),
			Username: dc.AdminDN, Password: dc.AdminPassword, SearchPath: samba.UsersDN,
			SearchFilter: "(&(objectClass=user)(department=ex6))", LinkingKey: "userPrincipalName"}
		return c
	}
	for _, c := range []connection.Connection{conn("ad", connection.DirectorySource), conn("rp", connection.DirectoryRelyingParty)} {
		if _, _, err := e.app.PutConnection(t.Context(), c); err != nil {
			t.Fatal(err)
		}
	}
	if rep, err := e.app.Sync(t.Context(), "ad", app.SyncOptions{Trigger: store.TriggerManual}); err != nil || rep.Created != 1 {
		t.Fatalf("source sync: %+v %v", rep, err)
	}
	pair, err := certs.New("usersync test user CA", []string{"carol.example.test"}, []net.IP{net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := tab(t)
	base := e.srv.URL
	useScreen(t, ctx, desk)
	browserLoginAs(t, ctx, base, AdminName, testAdminPassword)
	run(t, ctx, "enrol", chromedp.Navigate(base+"/certificates"), chromedp.WaitVisible(chromedp.ID("#cert-user")),
		chromedp.SetValue(chromedp.ID("#cert-connection"), "rp"),
		chromedp.SendKeys(chromedp.ID("#cert-user"), "carol.cert@example.test"),
		chromedp.SetValue(chromedp.ID("#cert-pem"), string(pair.CertPEM)),
		chromedp.Click(chromedp.ID("#enrol-button")))
	waitFor(t, ctx, `document.readyState === "complete" && !!document.querySelector(".alert")`)
	if msg := get(t, ctx, "enrolled", chromedp.Text(chromedp.CSS(".alert"))); !strings.Contains(msg, "Certificate enrolled") {
		t.Fatalf("enrol: %q", msg)
	}
	run(t, ctx, "listed", chromedp.WaitVisible(chromedp.CSS(`tr.cert[data-user="carol.cert@example.test"] .u-active`)))
	look(t, ctx, "c05-certificate-enrolled")
	useScreen(t, ctx, desk)
	run(t, ctx, "revoke", chromedp.Click(chromedp.CSS(`tr.cert[data-user="carol.cert@example.test"] button.danger`)))
	waitFor(t, ctx, `document.readyState === "complete" && !!document.querySelector("tr.cert .u-inactive")`)
	certsNow, err := e.app.ListCertificates(t.Context(), store.CertificateQuery{Connection: "rp"})
	if err != nil || len(certsNow) != 1 || certsNow[0].Status != store.CertRevoked {
		t.Fatalf("certificates: %+v %v", certsNow, err)
	}
	p := auditOf(t, e.login(), "?object=carol.cert")
	var got []string
	for _, ev := range p.Events {
		got = append(got, ev.Action+" "+ev.Detail)
	}
	if len(got) != 2 || got[0] != "certificate.revoke succeeded" || got[1] != "certificate.enrol succeeded" {
		t.Fatalf("audit: %q", got)
	}
}

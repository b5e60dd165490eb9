package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/testdir/samba"
)

// userClassGUID is the schemaIDGUID of the user class: the ACEs below apply
// to user objects only.
const userClassGUID = "bf967aba-0de6-11d0-a285-00aa003049e2"

// TestDocumentedDsaclGrantsWriteBack runs the samba-tool commands of
// docs/active-directory.md against a real Samba DC: look up the SID of the
// bind account and the schemaIDGUID of each attribute, then grant the
// account read and write of altSecurityIdentities and of the UPN target
// attribute (proxyAddresses here) on the user objects under the users'
// container. An ordinary account that `connection check` refused before
// passes it after, and nothing more than those two attributes is granted.
func TestDocumentedDsaclGrantsWriteBack(t *testing.T) {
	dc := samba.Start(t)
	const readerPw = "Rp-Reader-Pw1"
	dns := dc.AddUsers(t, 2, func(i int) samba.UserSpec {
		return []samba.UserSpec{
			adUser("jane.doe", "jane.doe@example.test", "ex3", nil),
			{SAMAccountName: "rp.reader", Password: readerPw},
		}[i]
	})
	c := &adCLI{cli: newCLI(t), dc: dc}
	doc := c.doc("t", "relyingParty", "(&(objectClass=user)(department=ex3))", seedExample3)
	doc["username"], doc["password"] = "rp.reader@example.test", readerPw
	c.apply(doc)
	if out, code := c.run("connection", "check", "t"); code == 0 || !strings.Contains(out, "may not write") {
		t.Fatalf("before the grant: exit %d, want a refusal\n%s", code, out)
	}

	tool, err := exec.LookPath("samba-tool")
	if err != nil {
		t.Fatal(err)
	}
	// On a domain member or any host with samba-tool: -H names the DC,
	// -U the domain administrator. The test host's own smb.conf knows
	// nothing of the test domain, so the DC's is given with -s.
	auth := []string{"-H", "ldap://" + dc.Host, "-U", dc.Domain + `\Administrator%` + dc.AdminPassword,
		"-s", filepath.Join(dc.Dir, "etc", "smb.conf")}
	sambaTool := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, tool, append(args, auth...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("samba-tool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	// The commands as the documentation gives them.
	sid := regexp.MustCompile(`(?m)^objectSid: (S-1-5-[0-9-]+)$`).FindStringSubmatch(sambaTool("user", "show", "rp.reader", "--attributes=objectSid"))
	if sid == nil {
		t.Fatal("samba-tool user show printed no objectSid")
	}
	container := dns[0][strings.Index(dns[0], ",")+1:]
	for _, attr := range []string{"altSecurityIdentities", "proxyAddresses"} {
		guid := regexp.MustCompile(`(?m)^schemaIDGUID: ([0-9a-f-]{36})$`).FindStringSubmatch(sambaTool("schema", "attribute", "show", attr))
		if guid == nil {
			t.Fatalf("samba-tool schema attribute show %s printed no schemaIDGUID", attr)
		}
		sambaTool("dsacl", "set", "--objectdn="+container, "--action=allow",
			"--sddl=(OA;CIIO;RPWP;"+guid[1]+";"+userClassGUID+";"+sid[1]+")")
	}

	out, code := c.run("connection", "check", "t")
	if code != 0 || !strings.Contains(out, "may write altSecurityIdentities, proxyAddresses") {
		t.Fatalf("after the documented grant: exit %d\n%s", code, out)
	}
}

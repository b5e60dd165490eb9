package main

import (
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/samba"
)

// TestRelyingPartyLinkingNobodyWarns: on a Samba AD DC, a relying-party run
// whose linking key matches no usersync user succeeds but says, as a
// warning on the run, that it linked none of the entries it read; with the
// key the form now offers (userPrincipalName) it links them and does not.
func TestRelyingPartyLinkingNobodyWarns(t *testing.T) {
	dc := samba.Start(t)
	dc.AddUsers(t, 2, func(i int) samba.UserSpec {
		return adUser([]string{"lina.one", "lino.two"}[i], []string{"lina.one@example.test", "lino.two@example.test"}[i], "ex9", nil)
	})
	c := newADCLI(t, dc)
	filter := "(&(objectClass=user)(department=ex9))"
	for _, tt := range []struct {
		linkingKey string
		warn       bool
	}{
		{"userPrincipalName", false},
		{"objectGUID", true},
		{"email=mail", true},
	} {
		t.Run(tt.linkingKey, func(t *testing.T) {
			doc := c.doc("rp", "relyingParty", filter, "")
			doc["linkingKey"] = tt.linkingKey
			c.apply(doc)
			rep, code := c.sync("rp")
			if code != 0 || rep.Status != store.RunSucceeded || rep.EntriesRead != 2 {
				t.Fatalf("run: code %d, status %s, read %d, error %q", code, rep.Status, rep.EntriesRead, rep.Error)
			}
			warned := strings.Contains(strings.Join(rep.Warnings, "\n"), "no entry was linked: none of the 2 entries read")
			if warned != tt.warn {
				t.Fatalf("warnings %q, want the linked-nobody warning: %v", rep.Warnings, tt.warn)
			}
		})
	}
}

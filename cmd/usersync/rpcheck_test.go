package main

import (
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/testdir/samba"
)

// altSecurityIdentitiesGUID is the schemaIDGUID of altSecurityIdentities.
const altSecurityIdentitiesGUID = "00fbf30c-91fe-11d1-aebc-0000f80367c1"

// TestRelyingPartyCheckNeedsWriteAccess: a relying party's account must be
// able to update altSecurityIdentities and the UPN target attribute, and the
// target attribute must exist in the schema; `connection check` says which
// one is missing or not writable instead of letting every write fail later.
func TestRelyingPartyCheckNeedsWriteAccess(t *testing.T) {
	dc := samba.Start(t)
	const readerPw = "Rp-Reader-Pw1"
	dns := dc.AddUsers(t, 2, func(i int) samba.UserSpec {
		return []samba.UserSpec{
			adUser("jane.doe", "jane.doe@example.test", "ex3", nil),
			{SAMAccountName: "rp.reader", Password: readerPw},
		}[i]
	})
	c := &adCLI{cli: newCLI(t), dc: dc}
	granted := false
	reader := map[string]any{"username": "rp.reader@example.test", "password": readerPw}
	for _, tc := range []struct {
		name         string
		dirType      string
		configureTwo string
		bind         map[string]any
		wantOK       bool
		want         []string
	}{
		{"administrator, proxyAddresses", "relyingParty", seedExample3, nil, true, []string{"may write altSecurityIdentities, proxyAddresses"}},
		{"administrator, no UPN write-back", "relyingParty", seedExample2, nil, true, []string{"may write altSecurityIdentities"}},
		{"non-admin account", "relyingParty", seedExample3, reader, false, []string{"rp.reader@example.test", "altSecurityIdentities", "proxyAddresses", "may not write"}},
		{"non-admin, no UPN write-back", "relyingParty", seedExample2, reader, false, []string{"altSecurityIdentities", "may not write"}},
		{"target attribute not in the schema", "relyingParty", seedExample4, nil, false, []string{"extensionAttribute5", "schema", "configureTwo.syncUpnToAdAttribute.targetAttribute"}},
		{"a source needs no write access", "source", "", reader, true, []string{"connection \"t\" works"}},
		{"non-admin granted altSecurityIdentities only", "relyingParty", seedExample3, reader, false, []string{"may not write proxyAddresses on"}},
		{"non-admin granted altSecurityIdentities, no UPN write-back", "relyingParty", seedExample2, reader, true, []string{"may write altSecurityIdentities"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if strings.Contains(tc.name, "granted") && !granted {
				dc.AllowWriteAttribute(t, dns[0], dns[1], altSecurityIdentitiesGUID)
				granted = true
			}
			doc := c.doc("t", tc.dirType, "(&(objectClass=user)(department=ex3))", tc.configureTwo)
			for k, v := range tc.bind {
				doc[k] = v
			}
			c.apply(doc)
			out, code := c.run("connection", "check", "t")
			if (code == 0) != tc.wantOK {
				t.Fatalf("connection check: exit %d, want ok=%v\n%s", code, tc.wantOK, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("connection check output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

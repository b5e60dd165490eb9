package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/directory/ldap"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/testdir/samba"
)

// adFilter selects the generated users only: the DC also holds
// Administrator, Guest and krbtgt in CN=Users.
const adFilter = "(&(objectClass=user)(objectCategory=person)(sAMAccountName=user*))"

// adUsers is how many users the acceptance DCs start with; every tenth is
// disabled, so 900 are provisioned.
const adUsers = 1000

// adDoc is a connection to dc over verified LDAPS, with extra fields set.
func adDoc(dc *samba.DC, extra map[string]any) map[string]any {
	doc := map[string]any{
		"name": "ad", "systemType": "ldap", "dnsName": dc.Host, "port": 636, "security": "ldaps",
		"caCertificate": string(dc.CAPEM), "username": dc.AdminUPN, "password": dc.AdminPassword,
		"searchPath": dc.BaseDN, "searchFilter": adFilter,
	}
	for k, v := range extra {
		doc[k] = v
	}
	return doc
}

// startAD starts a DC with adUsers users and a store with a connection
// "ad" to it.
func startAD(t *testing.T, extra map[string]any) (*samba.DC, *cli) {
	t.Helper()
	dc := samba.StartWithUsers(t, adUsers)
	c := newCLI(t)
	c.apply(adDoc(dc, extra))
	return dc, c
}

// listedUser is a user as `users list --json` prints it.
type listedUser struct {
	ID         int64  `json:"id"`
	ExternalID string `json:"externalId"`
	UserID     string `json:"userId"`
	Status     string `json:"status"`
	Source     string `json:"source"`
	Email      string `json:"email"`
}

// users returns the store's users by lower-cased userId; several users can
// share a userId only across sources, so the directory one wins.
func (c *cli) users() map[string]listedUser {
	c.t.Helper()
	out, code := c.run("users", "list", "--json")
	if code != 0 {
		c.t.Fatalf("users list: %d %s", code, out)
	}
	var list []listedUser
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		c.t.Fatalf("users list --json: %v\n%s", err, out)
	}
	m := make(map[string]listedUser, len(list))
	for _, u := range list {
		k := strings.ToLower(u.UserID)
		if _, dup := m[k]; dup && u.Source == "local" {
			continue
		}
		m[k] = u
	}
	return m
}

// countStatus counts users with the given status.
func countStatus(users map[string]listedUser, status string) int {
	n := 0
	for _, u := range users {
		if u.Status == status {
			n++
		}
	}
	return n
}

// guidOf reads dn's objectGUID in canonical text form.
func guidOf(t *testing.T, dc *samba.DC, dn string) string {
	t.Helper()
	return ldap.FormatGUID(dc.Get(t, dn, "objectGUID").GetRawAttributeValue("objectGUID"))
}

// mustSync runs a sync that must succeed and returns its report.
func (c *cli) mustSync(name string, extra ...string) reconcile.Report {
	c.t.Helper()
	rep, code := c.sync(name, extra...)
	if code != 0 {
		c.t.Fatalf("sync %s %v: exit %d, %+v", name, extra, code, rep)
	}
	return rep
}

// outcomes returns a run's outcomes with the given action as printed by
// `runs show --json`.
func (c *cli) outcomes(runID int64, action string) string {
	c.t.Helper()
	out, code := c.run("runs", "show", jsonInt(runID), "--action", action, "--json")
	if code != 0 {
		c.t.Fatalf("runs show: %d %s", code, out)
	}
	return out
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

// user returns the user with userID, failing the test when there is none.
func user(t *testing.T, users map[string]listedUser, userID string) listedUser {
	t.Helper()
	u, ok := users[strings.ToLower(userID)]
	if !ok {
		t.Fatalf("no user %q in the store", userID)
	}
	return u
}

// runIn is run with stdin, for the commands that read a password.
func (c *cli) runIn(stdin string, args ...string) (string, int) {
	c.t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append(args, "--db", c.db), strings.NewReader(stdin), &out, &errb)
	c.all.Write(out.Bytes())
	c.all.Write(errb.Bytes())
	if testing.Verbose() {
		c.t.Logf("usersync %s → %d\n%s%s", strings.Join(args, " "), code, out.String(), errb.String())
	}
	return out.String() + errb.String(), code
}

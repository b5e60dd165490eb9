package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/samba"
	"github.com/usersync/usersync/internal/testdir/scimserver"
)

// The third acceptance check: an AD directory of 1,000 users is
// provisioned over SCIM into a SCIM server usersync did not write (the
// elimity-com/scim library), and a later rename, disable and group change
// arrive there as PATCH requests, read from that server's request log.
func TestPushADToALibrarySCIMServer(t *testing.T) {
	dc := samba.StartWithUsers(t, adUsers)
	l := dc.Dial(t)
	ou := ldapv3.NewAddRequest(adGroups, nil)
	ou.Attribute("objectClass", []string{"organizationalUnit"})
	if err := l.Add(ou); err != nil {
		t.Fatal(err)
	}
	u := samba.GeneratedUserDN
	adGroup(t, l, "Pilots", u(1), u(2))
	crew := adGroup(t, l, "Crew", u(1))
	target := scimserver.Start(t)
	c := newCLI(t)
	t.Setenv("USERSYNC_LOG_LEVEL", "error")
	c.mustRun("group", "add", "Pilots")
	c.mustRun("group", "add", "Crew")
	c.apply(sambaConnDoc(dc))
	provisioned := 0
	for i := 1; i <= adUsers; i++ {
		if !samba.GeneratedUser(i).Disabled {
			provisioned++
		}
	}
	if rep, code := c.sync("corp"); code != 0 || rep.Created != provisioned {
		t.Fatalf("sync: %d %+v", code, rep.Counts)
	}
	c.apply(map[string]any{"name": "app", "directoryType": "target", "systemType": "scim", "baseUrl": target.URL, "token": target.Token,
		"pushConnections": []string{"corp"}, "requestsPerSecond": 100000})
	if out, code := c.run("connection", "check", "app"); code != 0 || !strings.Contains(out, "PATCH supported") {
		t.Fatalf("connection check: %d %s", code, out)
	}
	run := c.push("app")
	users := target.Users()
	if run.Status != store.RunSucceeded || run.Created != provisioned || len(users) != provisioned {
		t.Fatalf("first push: %+v; target holds %d users, want %d", run, len(users), provisioned)
	}
	t.Logf("first push: %d users created on the library server in %d ms", run.Created, run.DurationMs)
	idOf := map[string]string{}
	for id, r := range users {
		idOf[fmt.Sprint(r["userName"])] = id
	}
	groupID := map[string]string{}
	for id, g := range target.Groups() {
		groupID[fmt.Sprint(g["displayName"])] = id
	}
	if len(groupID) != 2 {
		t.Fatalf("groups on the target: %v", target.Groups())
	}

	// A rename, a disable and a group change in AD.
	upn := func(i int) string { return samba.GeneratedUser(i).UserPrincipalName }
	dc.Replace(t, u(3), "userPrincipalName", "renamed00003@example.test")
	dc.Disable(t, u(4))
	dc.AddMembers(t, crew, []string{u(5)})
	target.ResetRequests()
	if rep, code := c.sync("corp"); code != 0 || rep.Updated+rep.Deactivated+rep.MembershipChanges < 3 {
		t.Fatalf("second sync: %d %+v", code, rep.Counts)
	}
	run = c.push("app")
	if run.Status != store.RunSucceeded {
		t.Fatalf("second push: %+v", run)
	}
	t.Logf("second push: %d ms", run.DurationMs)
	var got []string
	for _, r := range target.Requests() {
		if r.Method == "GET" {
			continue
		}
		ops, _ := json.Marshal(r.Body["Operations"])
		got = append(got, r.Method+" "+r.Path+" "+string(ops))
	}
	want := []string{
		`PATCH /scim/v2/Users/` + idOf[upn(3)] + ` [{"op":"replace","path":"userName","value":"renamed00003@example.test"}]`,
		`PATCH /scim/v2/Users/` + idOf[upn(4)] + ` [{"op":"replace","path":"active","value":false}]`,
		`PATCH /scim/v2/Groups/` + groupID["Crew"] + ` [{"op":"add","path":"members","value":[{"value":"` + idOf[upn(5)] + `"}]}]`,
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			t.Errorf("missing request %s", w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("requests other than GET:\n%s\nwant exactly:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r := target.Users()[idOf[upn(3)]]; r["userName"] != "renamed00003@example.test" {
		t.Fatalf("renamed user on the target: %v", r)
	}
}

// push runs `usersync push NAME --json` and returns the run.
func (c *cli) push(name string) store.Run {
	c.t.Helper()
	out, code := c.run("push", name, "--json")
	var run store.Run
	if err := json.Unmarshal([]byte(out), &run); err != nil || code != 0 {
		c.t.Fatalf("push %s: exit %d (%v): %s", name, code, err, out)
	}
	return run
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/usersync/usersync/internal/demodir"
	"github.com/usersync/usersync/internal/testdir/graph"
)

// demoEntraUsers is the size of the Entra demo tenant.
const demoEntraUsers = 60

// runEntraDemo is `usersync demo --entra`: a local Microsoft Graph on
// loopback (sign-in endpoint and Graph, over TLS with a throwaway CA that
// this process trusts through SSL_CERT_FILE, as an operator's would), a
// tenant with departments, sites and the Administrator group as Entra
// groups, synced in full, then changed and synced again incrementally
// from Graph's delta link.
func runEntraDemo(ctx context.Context, e *env, db string, serveUI bool, o *serveOptions) error {
	g, err := graph.Start(graph.Options{PageSize: 25})
	if err != nil {
		return fmt.Errorf("demo: start the local Graph: %w", err)
	}
	defer g.Close()
	caDir, err := os.MkdirTemp("", "usersync-demo-graph-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(caDir)
	ca, err := g.WriteCAFile(caDir)
	if err != nil {
		return err
	}
	if err := os.Setenv("SSL_CERT_FILE", ca); err != nil {
		return err
	}
	ids, err := demoTenant(g)
	if err != nil {
		return fmt.Errorf("demo: fill the local Graph: %w", err)
	}
	fmt.Fprintf(e.stdout, "Local Microsoft Graph (Entra ID) listening on %s, tenant %s, %d users\n", g.URL(), g.TenantID(), len(ids))

	a, err := openDemoStore(ctx, e, db)
	if err != nil {
		return err
	}
	defer a.Close()
	doc, _ := json.Marshal(map[string]any{
		"name": "entra-demo", "friendlyName": "Entra ID (local Graph)", "systemType": "entra",
		"tenantId": g.TenantID(), "clientId": graph.DefaultClientID, "clientSecret": graph.DefaultSecret,
		"authorityHost": g.URL() + "/", "graphURL": g.URL(), "followNestedGroups": true,
	})
	if _, _, err := a.ApplyConnection(ctx, doc); err != nil {
		return err
	}
	if _, err := demoCheckAndSync(ctx, e, a, "entra-demo"); err != nil {
		return err
	}

	// A few changes in the tenant, read back through the delta link.
	fmt.Fprintln(e.stdout, "\nIn Entra: user 1 renamed, user 2 disabled, user 3 deleted, one new user.")
	if err := g.UpdateUser(ids[1], map[string]any{"displayName": "Renamed In Entra", "jobTitle": "Director"}); err != nil {
		return err
	}
	if err := g.UpdateUser(ids[2], map[string]any{"accountEnabled": false}); err != nil {
		return err
	}
	if err := g.DeleteUser(ids[3]); err != nil {
		return err
	}
	if _, err := g.PutUser(graph.User{UserPrincipalName: "new.hire@contoso.example", DisplayName: "New Hire", GivenName: "New", Surname: "Hire", Mail: "new.hire@contoso.example"}); err != nil {
		return err
	}
	rep, err := demoSync(ctx, e, a, "entra-demo")
	if err != nil {
		return err
	}
	if err := demoUsers(ctx, e, a, db, "entra-demo", rep.ID); err != nil {
		return err
	}
	if !serveUI {
		return nil
	}
	return serve(ctx, e, a, o, nil)
}

// demoTenant fills the tenant: users spread over the sample application's
// departments and sites, the department groups (one nested in another),
// site groups named entra-demo_<site>, Administrator, a disabled account
// and a guest. It returns the users' ids in order.
func demoTenant(g *graph.Server) ([]string, error) {
	sets, _, sites := demodir.AppEntities()
	var ids []string
	off := false
	for i := 0; i < demoEntraUsers; i++ {
		u := graph.User{UserPrincipalName: fmt.Sprintf("user%02d@contoso.example", i), DisplayName: fmt.Sprintf("Demo User %02d", i),
			GivenName: "Demo", Surname: fmt.Sprintf("User %02d", i), Mail: fmt.Sprintf("user%02d@contoso.example", i),
			Department: sets[i%len(sets)], JobTitle: "Engineer", OfficeLocation: sites[i%len(sites)], PreferredLanguage: "en-US",
			BusinessPhones: []string{fmt.Sprintf("+1 555 01%02d", i)}}
		switch i {
		case demoEntraUsers - 2:
			u.AccountEnabled = &off
		case demoEntraUsers - 1:
			u.UserPrincipalName, u.UserType = "partner_example.org#EXT#@contoso.example", "Guest"
		}
		id, err := g.PutUser(u)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	group := func(name string, members []string) (string, error) {
		return g.PutGroup(graph.Group{DisplayName: name, Members: members})
	}
	for k, set := range sets {
		var m []string
		for i := k; i < len(ids); i += len(sets) {
			m = append(m, ids[i])
		}
		if _, err := group(set, m); err != nil {
			return nil, err
		}
	}
	for k, site := range sites {
		var m []string
		for i := k; i < len(ids); i += len(sites) {
			m = append(m, ids[i])
		}
		if _, err := group("entra-demo_"+site, m); err != nil {
			return nil, err
		}
	}
	if _, err := group("Administrator", ids[:2]); err != nil {
		return nil, err
	}
	return ids, nil
}

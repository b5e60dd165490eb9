package demodir

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/directory"
	dirldap "github.com/usersync/usersync/internal/directory/ldap"
)

// TestUsersyncClient runs usersync's own LDAP reader against the demo
// directory: the path `usersync demo` takes.
func TestUsersyncClient(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	demo := s.Connection("demo")
	conn := dirldap.Config{DNSName: demo.DNSName, Port: demo.Port, Security: demo.Security, CACertificate: demo.CACertificate,
		TLSSkipVerify: demo.TLSSkipVerify, Username: demo.Username, Password: demo.Password,
		SearchPath: demo.SearchPath, SearchFilter: demo.SearchFilter, PageSize: demo.PageSize}

	res, err := dirldap.Check(ctx, conn)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if res.Flavor != directory.FlavorActiveDirectory || res.Entries != UserCount {
		t.Fatalf("Check: flavor %q, %d entries; steps %v", res.Flavor, res.Entries, res.Steps)
	}

	c, err := dirldap.Dial(ctx, conn)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	defer func() { _ = c.Close() }()
	var got []*directory.Entry
	q := directory.Query{BaseDN: conn.SearchPath, Filter: conn.SearchFilter, PageSize: 15,
		Attributes: []string{"objectGUID", "userPrincipalName", "mail", "memberOf", "userAccountControl"}}
	if err := c.Search(ctx, q, func(e *directory.Entry) error { got = append(got, e); return nil }); err != nil {
		t.Fatalf("Search: %v", err)
	}
	if len(got) != UserCount {
		t.Fatalf("Search returned %d entries", len(got))
	}
	e := got[0]
	if g := e.Get("objectguid"); len(g) != 36 || strings.Count(g, "-") != 4 {
		t.Errorf("objectGUID formatted as %q", g)
	}
	if !strings.HasSuffix(e.Get("userprincipalname"), "@contoso.test") || len(e.Values("memberof")) < 3 {
		t.Errorf("entry: %+v", e.Attrs)
	}

	if err := dirldap.Authenticate(ctx, conn, e.Get("userprincipalname"), DemoPassword); err != nil {
		t.Errorf("Authenticate a demo person: %v", err)
	}
	if err := dirldap.Authenticate(ctx, conn, e.Get("userprincipalname"), "nope"); err == nil {
		t.Error("Authenticate with a wrong password succeeded")
	}

	bad := conn
	bad.Password = "wrong"
	var p *dirldap.Problem
	if _, err := dirldap.Check(ctx, bad); !errors.As(err, &p) {
		t.Errorf("Check with a wrong password: %v", err)
	} else {
		t.Logf("wrong password reported as: %s", p.Msg)
	}
	missing := conn
	missing.SearchPath = "OU=Nowhere," + BaseDN
	if _, err := dirldap.Check(ctx, missing); !errors.As(err, &p) {
		t.Errorf("Check with a missing base: %v", err)
	} else {
		t.Logf("missing base reported as: %s", p.Msg)
	}
}

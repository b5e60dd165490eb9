package ldap_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/directory/ldap"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

func conn(s *slapd.Server) ldap.Config {
	return ldap.Config{Security: ldap.SecurityNone, DNSName: "127.0.0.1", Port: s.Port, Username: slapd.AdminDN, Password: slapd.AdminPassword,
		SearchPath: slapd.PeopleDN, SearchFilter: "(objectClass=inetOrgPerson)", PageSize: 100}
}

func TestSearchStreamsEveryPage(t *testing.T) {
	s := slapd.Start(t, 1050, 3)
	c := conn(s)
	lc, err := ldap.Dial(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	defer lc.Close()
	seen := map[string]bool{}
	err = lc.Search(context.Background(), directory.Query{BaseDN: c.SearchPath, Filter: c.SearchFilter, Attributes: []string{"uid", "entryUUID", "mail"}, PageSize: 100},
		func(e *directory.Entry) error {
			if e.Get("entryUUID") == "" || e.Get("UID") == "" {
				t.Errorf("entry %s lacks entryUUID or uid: %v", e.DN, e.Attrs)
			}
			seen[e.Get("uid")] = true
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1050 {
		t.Fatalf("read %d distinct users, want 1050", len(seen))
	}
}

func TestSearchFailsWhenServerDiesMidway(t *testing.T) {
	s := slapd.Start(t, 500, 0)
	c := conn(s)
	lc, err := ldap.Dial(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	defer lc.Close()
	n := 0
	err = lc.Search(context.Background(), directory.Query{BaseDN: c.SearchPath, Filter: c.SearchFilter, PageSize: 50},
		func(e *directory.Entry) error {
			n++
			if n == 60 {
				s.Stop()
			}
			return nil
		})
	if err == nil {
		t.Fatalf("a read cut off after %d entries reported success", n)
	}
}

func TestCheck(t *testing.T) {
	s := slapd.Start(t, 20, 2)
	good := conn(s)
	res, err := ldap.Check(context.Background(), good)
	if err != nil {
		t.Fatal(err)
	}
	if res.Entries != 20 || res.Flavor != directory.FlavorOpenLDAP {
		t.Fatalf("check = %+v", res)
	}

	tlsOK := good
	tlsOK.Security, tlsOK.Port, tlsOK.CACertificate = ldap.SecurityLDAPS, s.TLSPort, string(s.CAPEM)
	if _, err := ldap.Check(context.Background(), tlsOK); err != nil {
		t.Fatalf("ldaps with the right CA: %v", err)
	}

	tests := []struct {
		name   string
		modify func(*ldap.Config)
		kind   ldap.Kind
		want   string
	}{
		{"wrong password", func(c *ldap.Config) { c.Password = "nope" }, ldap.KindCredentials, "invalid credentials"},
		{"wrong port", func(c *ldap.Config) { c.Port = 1 }, ldap.KindUnreachable, "connection refused"},
		{"missing base", func(c *ldap.Config) { c.SearchPath = "ou=nowhere,dc=example,dc=com" }, ldap.KindSearchBase, `"ou=nowhere,dc=example,dc=com" does not exist`},
		{"malformed filter", func(c *ldap.Config) { c.SearchFilter = "(uid=a" }, ldap.KindFilter, "malformed"},
		{"untrusted certificate", func(c *ldap.Config) { c.Security, c.Port = ldap.SecurityLDAPS, s.TLSPort }, ldap.KindTLS, "not trusted"},
		{"wrong host name", func(c *ldap.Config) {
			c.Security, c.Port, c.CACertificate, c.DNSName = ldap.SecurityLDAPS, s.TLSPort, string(s.CAPEM), "localhost"
		}, ldap.KindTLS, "not valid for"},
		{"ldaps to a plain port", func(c *ldap.Config) { c.Security = ldap.SecurityLDAPS }, ldap.KindTLS, "does not speak TLS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good
			tt.modify(&c)
			_, err := ldap.Check(context.Background(), c)
			var p *ldap.Problem
			if !errors.As(err, &p) {
				t.Fatalf("want a *Problem, got %v", err)
			}
			if p.Kind != tt.kind || !strings.Contains(p.Msg, tt.want) {
				t.Fatalf("got kind %s %q, want kind %s containing %q", p.Kind, p.Msg, tt.kind, tt.want)
			}
			if strings.Contains(p.Msg, slapd.AdminPassword) || strings.Contains(p.Msg, "\n") {
				t.Fatalf("message leaks the password or spans lines: %q", p.Msg)
			}
		})
	}
}

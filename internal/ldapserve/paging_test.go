package ldapserve

import (
	"context"
	"slices"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/store"
)

// "the Simple Paged Results control (RFC 2696, cookies that survive
// between requests)": every entry once, in pages, even when each page is
// asked for on a new connection; a forged cookie is refused.
func TestPagedResults(t *testing.T) {
	f := newFixture(t, nil)
	c := f.dial(t, true)
	all, err := search(c, testBase, ldapv3.ScopeWholeSubtree, "(objectClass=*)", "1.1")
	if err != nil {
		t.Fatal(err)
	}
	paged, err := c.SearchWithPaging(ldapv3.NewSearchRequest(testBase, ldapv3.ScopeWholeSubtree, ldapv3.NeverDerefAliases, 0, 0, false,
		"(objectClass=*)", []string{"1.1"}, nil), 2)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(dns(paged), dns(all)) || len(all.Entries) < 7 {
		t.Fatalf("paged %v, unpaged %v", dns(paged), dns(all))
	}

	var got []string
	var cookie []byte
	for page := 0; ; page++ {
		conn := f.dial(t, true)
		ctl := ldapv3.NewControlPaging(3)
		ctl.SetCookie(cookie)
		res, err := conn.Search(ldapv3.NewSearchRequest(testBase, ldapv3.ScopeWholeSubtree, ldapv3.NeverDerefAliases, 0, 0, false,
			"(objectClass=*)", []string{"1.1"}, []ldapv3.Control{ctl}))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Entries) > 3 {
			t.Fatalf("page %d has %d entries, more than the page size 3", page, len(res.Entries))
		}
		got = append(got, dns(res)...)
		p, _ := ldapv3.FindControl(res.Controls, ldapv3.ControlTypePaging).(*ldapv3.ControlPaging)
		if p == nil {
			t.Fatal("no paging control in the response")
		}
		if len(p.Cookie) == 0 {
			break
		}
		cookie = p.Cookie
	}
	if !slices.Equal(got, dns(all)) {
		t.Errorf("pages across connections: %v, want %v", got, dns(all))
	}

	for _, bad := range [][]byte{[]byte("999999:x"), []byte("garbage"), append([]byte("1:"), cookie...)} {
		ctl := ldapv3.NewControlPaging(3)
		ctl.SetCookie(bad)
		_, err := c.Search(ldapv3.NewSearchRequest(testBase, ldapv3.ScopeWholeSubtree, ldapv3.NeverDerefAliases, 0, 0, false,
			"(uid=*)", []string{"1.1"}, []ldapv3.Control{ctl}))
		if code(err) != ldapv3.LDAPResultUnwillingToPerform {
			t.Errorf("cookie %q: %v, want unwillingToPerform", bad, err)
		}
	}
}

// "size and time limits (server-side caps and the client's, with
// sizeLimitExceeded as RFC 4511 says)": the entries up to the limit, then
// sizeLimitExceeded.
func TestSizeLimits(t *testing.T) {
	tests := []struct {
		name       string
		serverCap  int
		clientSize int
		want       int
	}{
		{"client limit", 0, 2, 2},
		{"server cap", 3, 0, 3},
		{"smaller of both", 3, 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, func(c *Config) { c.MaxEntries = tt.serverCap })
			c := f.dial(t, true)
			res, err := c.Search(ldapv3.NewSearchRequest(testBase, ldapv3.ScopeWholeSubtree, ldapv3.NeverDerefAliases, tt.clientSize, 0, false,
				"(objectClass=*)", []string{"1.1"}, nil))
			if code(err) != ldapv3.LDAPResultSizeLimitExceeded {
				t.Fatalf("err = %v, want sizeLimitExceeded", err)
			}
			if res == nil || len(res.Entries) != tt.want {
				t.Fatalf("entries = %v, want %d", res, tt.want)
			}
		})
	}
	// A client limit the result fits in is not exceeded.
	f := newFixture(t, nil)
	res, err := f.dial(t, true).Search(ldapv3.NewSearchRequest(testBase, ldapv3.ScopeWholeSubtree, ldapv3.NeverDerefAliases, 1, 0, false,
		"(uid=bob)", nil, nil))
	if err != nil || len(res.Entries) != 1 {
		t.Errorf("one match under size limit 1: %v, %v", res, err)
	}
}

// A paged search reads the view once, on its first page: the later pages
// come from a snapshot of which entries matched, with each user read again,
// so a later page shows a user's current values.
func TestPagedSearchReadsTheViewOnce(t *testing.T) {
	var counter *scanCounter
	f := newFixture(t, func(c *Config) {
		counter = &scanCounter{Store: c.Store}
		c.Store = counter
	})
	c := f.dial(t, true)
	var got []*ldapv3.Entry
	var cookie []byte
	for page := 0; ; page++ {
		ctl := ldapv3.NewControlPaging(2)
		ctl.SetCookie(cookie)
		res, err := c.Search(ldapv3.NewSearchRequest(testBase, ldapv3.ScopeWholeSubtree, ldapv3.NeverDerefAliases, 0, 0, false,
			"(objectClass=inetOrgPerson)", []string{"uid", "mail", "memberOf"}, []ldapv3.Control{ctl}))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, res.Entries...)
		if page == 0 {
			// Changed after the first page: the later page shows it.
			if err := f.st.SetUserField(context.Background(), f.ids["smith, john+x"], store.FieldEmail, "js@example.com"); err != nil {
				t.Fatal(err)
			}
		}
		p := ldapv3.FindControl(res.Controls, ldapv3.ControlTypePaging).(*ldapv3.ControlPaging)
		if len(p.Cookie) == 0 {
			break
		}
		cookie = p.Cookie
	}
	if n := counter.scans.Load(); n != 1 {
		t.Errorf("the paged search read the view's connection %d times, want once", n)
	}
	mails := map[string]string{}
	for _, e := range got {
		mails[e.GetAttributeValue("uid")] = e.GetAttributeValue("mail")
	}
	if len(got) != 3 || mails["smith, john+x"] != "js@example.com" || mails["alice"] != "Alice@Example.com" {
		t.Errorf("pages = %v", mails)
	}
	for _, e := range got {
		if e.GetAttributeValue("uid") == "alice" && len(e.GetAttributeValues("memberOf")) != 2 {
			t.Errorf("alice's memberOf on a paged read: %v", e.GetAttributeValues("memberOf"))
		}
	}
}

package ldapserve

import (
	"context"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/password"
	"github.com/usersync/usersync/internal/store"
)

// "Directory lookup: a phone-book view (name, number, mail) an IP phone's
// LDAP directory can query": the phone searches by name with a substring
// filter and reads the name, the numbers and the mail, nothing more.
func TestPhoneBookView(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	v := store.LDAPView{Name: "book", BaseDN: "ou=phonebook,o=example", Connections: []string{"corp"}, Preset: PresetPhoneBook}
	if err := ValidateView(&v); err != nil {
		t.Fatal(err)
	}
	if err := f.st.PutLDAPView(ctx, v); err != nil {
		t.Fatal(err)
	}
	hash, err := password.Hash(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.PutLDAPAccount(ctx, store.LDAPAccount{View: "book", Name: "deskphone", PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	c := f.dial(t, false)
	if err := c.Bind(AccountDN(v, "deskphone"), testPassword); err != nil {
		t.Fatal(err)
	}
	res, err := search(c, v.BaseDN, ldapv3.ScopeSingleLevel, "(|(cn=*lid*)(sn=lid*)(telephoneNumber=*lid*))")
	if err != nil || len(res.Entries) != 1 {
		t.Fatalf("phone-book lookup: %v, %v", dns(res), err)
	}
	e := res.Entries[0]
	if e.GetAttributeValue("cn") != "Alice Liddell" || e.GetAttributeValue("telephoneNumber") != "+1 555 0101" || e.GetAttributeValue("mail") != "Alice@Example.com" {
		t.Errorf("entry = %+v", e.Attributes)
	}
	for _, a := range []string{"departmentNumber", "preferredLanguage", "street", "memberOf"} {
		if e.GetAttributeValue(a) != "" {
			t.Errorf("the phone book serves %s", a)
		}
	}
	bad := store.LDAPView{Name: "x", BaseDN: "o=x", Connections: []string{"corp"}, Preset: "phonebook"}
	if err := ValidateView(&bad); err == nil {
		t.Error("an unknown preset was accepted")
	}
}

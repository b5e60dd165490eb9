package ldapserve

import (
	"errors"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/store"
)

// "Bad input gets a clear error naming the field and the cause": every
// problem of a view at once.
func TestValidateView(t *testing.T) {
	v := store.LDAPView{Name: "bad name!", BaseDN: "not a dn", Connections: []string{"corp", "", "corp"},
		Attributes: map[string]string{"mail": "email", "MAIL": "email", "entryUUID": "x", "cn": " ", "2bad": "x"}}
	err := ValidateView(&v)
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
	for _, want := range []string{"name:", "baseDN:", "connections[1]: is empty", "connections[2]: \"corp\" is listed twice",
		"is the same attribute as", "attributes.entryUUID: is served by usersync", "attributes.cn: names no application field",
		"attributes.2bad: is not an LDAP attribute name", "must map uid"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	empty := store.LDAPView{Name: "v"}
	if err := ValidateView(&empty); err == nil || !strings.Contains(err.Error(), "baseDN: is required") || !strings.Contains(err.Error(), "connections: name at least one") {
		t.Errorf("empty view: %v", err)
	}
	good := store.LDAPView{Name: "people", BaseDN: "ou=people,o=example", Connections: []string{"*"}}
	if err := ValidateView(&good); err != nil {
		t.Fatal(err)
	}
	if good.Attributes["uid"] != FieldUserID || good.Attributes["facsimileTelephoneNumber"] != "fax" || good.Attributes["departmentNumber"] != "department" {
		t.Errorf("default attributes = %v", good.Attributes)
	}
}

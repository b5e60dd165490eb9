package ldap

import (
	"errors"
	"strings"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/directory"
)

func TestClassifyWrite(t *testing.T) {
	tests := []struct {
		code uint16
		diag string
		want error
		text string
	}{
		{ldapv3.LDAPResultInsufficientAccessRights, "00002098: Object CN=a,DC=x has no write property access", directory.ErrInsufficientAccess, "insufficient access rights (LDAP 50): 00002098"},
		{ldapv3.LDAPResultConstraintViolation, "0000202F: value too long", directory.ErrConstraintViolation, "constraint violation (LDAP 19)"},
		{ldapv3.LDAPResultAttributeOrValueExists, "", directory.ErrValueExists, "attribute or value exists (LDAP 20)"},
		{ldapv3.LDAPResultNoSuchAttribute, "no matching attribute value", directory.ErrNoSuchAttribute, "(LDAP 16): no matching"},
		{ldapv3.LDAPResultObjectClassViolation, "00002014: objectclass", directory.ErrObjectClassViolation, "object class violation (LDAP 65)"},
	}
	for _, tt := range tests {
		err := classifyWrite("CN=a,DC=x", "mail", ldapv3.NewError(tt.code, errors.New(tt.diag)))
		if !errors.Is(err, tt.want) {
			t.Errorf("code %d: %v does not match %v", tt.code, err, tt.want)
		}
		if !strings.Contains(err.Error(), tt.text) || !strings.Contains(err.Error(), `mail of "CN=a,DC=x"`) {
			t.Errorf("code %d: %q lacks %q or the entry", tt.code, err, tt.text)
		}
	}
}

package ldap

import (
	"context"
	"fmt"
	"strings"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/directory"
)

// checkWrites verifies that every attribute of c.MustWrite exists in the
// schema and that the bound account may update it on entry (an entry the
// connection's search finds). Active Directory answers both: the schema
// lies under the schema naming context, and an object's
// allowedAttributesEffective lists what the bound account may write on it.
// Other directories cannot say in advance, so nothing is checked there.
// It returns the step to report, or a *Problem naming what is missing.
func (c *Conn) checkWrites(ctx context.Context, cfg Config, entry string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if c.flavor != directory.FlavorActiveDirectory {
		return "write permissions not checked: only Active Directory reports them in advance", nil
	}
	req := ldapv3.NewSearchRequest("", ldapv3.ScopeBaseObject, ldapv3.NeverDerefAliases, 1, 0, false, "(objectClass=*)",
		[]string{"schemaNamingContext"}, nil)
	res, err := c.conn.Search(req)
	if err != nil {
		return "", classifySearch("(root DSE)", err)
	}
	schema := ""
	if len(res.Entries) == 1 {
		schema = res.Entries[0].GetAttributeValue("schemaNamingContext")
	}
	if schema == "" {
		return "", &Problem{Kind: KindDirectory, Msg: fmt.Sprintf("the root DSE of %s names no schemaNamingContext: cannot check the schema", cfg.Address())}
	}
	attrs := make([]string, 0, len(cfg.MustWrite))
	for _, w := range cfg.MustWrite {
		ok, err := c.inSchema(schema, w.Attribute)
		if err != nil {
			return "", err
		}
		if !ok {
			return "", &Problem{Kind: KindPermission, Field: w.Field, Msg: fmt.Sprintf(
				"%s: attribute %q does not exist in the schema of %s; name an attribute the directory defines", w.Field, w.Attribute, cfg.Address())}
		}
		attrs = append(attrs, w.Attribute)
	}
	if entry == "" {
		return fmt.Sprintf("write permission on %s not checked: no entry matches the filter", strings.Join(attrs, ", ")), nil
	}
	allowed, err := c.allowedAttributes(entry)
	if err != nil {
		return "", err
	}
	var denied []string
	for _, a := range attrs {
		if !allowed[strings.ToLower(a)] {
			denied = append(denied, a)
		}
	}
	if len(denied) > 0 {
		return "", &Problem{Kind: KindPermission, Field: "username", Msg: fmt.Sprintf(
			"account %q may not write %s on %s (checked with allowedAttributesEffective); grant it write permission on those attributes of the users under %s",
			cfg.Username, strings.Join(denied, ", "), entry, cfg.SearchPath)}
	}
	return fmt.Sprintf("account may write %s on %s", strings.Join(attrs, ", "), entry), nil
}

// inSchema reports whether the schema defines attr, by LDAP display name
// or OID.
func (c *Conn) inSchema(schema, attr string) (bool, error) {
	v := ldapv3.EscapeFilter(attr)
	req := ldapv3.NewSearchRequest(schema, ldapv3.ScopeSingleLevel, ldapv3.NeverDerefAliases, 2, 0, false,
		"(&(objectClass=attributeSchema)(|(lDAPDisplayName="+v+")(attributeID="+v+")))", []string{"1.1"}, nil)
	res, err := c.conn.Search(req)
	if err != nil {
		return false, classifySearch(schema, err)
	}
	return len(res.Entries) > 0, nil
}

// allowedAttributes returns the lower-cased names of the attributes the
// bound account may write on dn.
func (c *Conn) allowedAttributes(dn string) (map[string]bool, error) {
	req := ldapv3.NewSearchRequest(dn, ldapv3.ScopeBaseObject, ldapv3.NeverDerefAliases, 1, 0, false, "(objectClass=*)",
		[]string{"allowedAttributesEffective"}, nil)
	res, err := c.conn.Search(req)
	if err != nil {
		return nil, classifySearch(dn, err)
	}
	out := map[string]bool{}
	for _, e := range res.Entries {
		for _, a := range e.GetAttributeValues("allowedAttributesEffective") {
			out[strings.ToLower(a)] = true
		}
	}
	return out, nil
}

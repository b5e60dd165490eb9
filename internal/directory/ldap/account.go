package ldap

import (
	"context"
	"fmt"
	"strings"

	ldapv3 "github.com/go-ldap/ldap/v3"
)

// Active Directory bind sub-codes that authentication tells apart.
const (
	CodeUserNotFound     = "525"
	CodeInvalidPassword  = "52e"
	CodeAccountDisabled  = "533"
	CodeAccountExpired   = "701"
	CodeAccountLockedOut = "775"
)

// Domain names an Active Directory domain: its DNS name (the default UPN
// suffix) and its NetBIOS name (what DOMAIN\login names).
type Domain struct {
	DNSName string
	NetBIOS string
}

// Domain reads the domain of the connection's DC: the DNS name from the
// root DSE's defaultNamingContext (DC=example,DC=test is example.test) and
// the NetBIOS name from the domain's crossRef in CN=Partitions.
func (c *Conn) Domain(ctx context.Context) (Domain, error) {
	var d Domain
	if err := ctx.Err(); err != nil {
		return d, err
	}
	req := ldapv3.NewSearchRequest("", ldapv3.ScopeBaseObject, ldapv3.NeverDerefAliases, 1, 0, false, "(objectClass=*)",
		[]string{"defaultNamingContext", "configurationNamingContext"}, nil)
	res, err := c.conn.Search(req)
	if err != nil {
		return d, classifySearch("(root DSE)", err)
	}
	if len(res.Entries) == 0 {
		return d, &Problem{Kind: KindDirectory, Msg: "the root DSE is empty: no domain"}
	}
	nc := res.Entries[0].GetAttributeValue("defaultNamingContext")
	d.DNSName = dnsNameOf(nc)
	if d.DNSName == "" {
		return d, &Problem{Kind: KindDirectory, Msg: "the root DSE has no defaultNamingContext: not Active Directory?"}
	}
	conf := res.Entries[0].GetAttributeValue("configurationNamingContext")
	if conf == "" {
		return d, nil
	}
	req = ldapv3.NewSearchRequest("CN=Partitions,"+conf, ldapv3.ScopeSingleLevel, ldapv3.NeverDerefAliases, 1, 0, false,
		"(&(objectClass=crossRef)(nCName="+ldapv3.EscapeFilter(nc)+"))", []string{"nETBIOSName"}, nil)
	if res, err = c.conn.Search(req); err == nil && len(res.Entries) == 1 {
		d.NetBIOS = res.Entries[0].GetAttributeValue("nETBIOSName")
	}
	return d, nil
}

// dnsNameOf turns DC=example,DC=test into example.test.
func dnsNameOf(dn string) string {
	parsed, err := ldapv3.ParseDN(dn)
	if err != nil {
		return ""
	}
	var labels []string
	for _, rdn := range parsed.RDNs {
		for _, a := range rdn.Attributes {
			if strings.EqualFold(a.Type, "DC") {
				labels = append(labels, a.Value)
			}
		}
	}
	return strings.Join(labels, ".")
}

// FindByKey returns the DN of the object under base whose attribute attr
// (a connection's linking key, such as objectGUID or entryUUID) is value,
// or "" when there is none. An objectGUID is given in canonical text form.
func (c *Conn) FindByKey(ctx context.Context, base, attr, value string) (string, error) {
	v := ldapv3.EscapeFilter(value)
	if strings.EqualFold(attr, "objectGUID") {
		var err error
		if v, err = GUIDFilterValue(value); err != nil {
			return "", err
		}
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	req := ldapv3.NewSearchRequest(base, ldapv3.ScopeWholeSubtree, ldapv3.NeverDerefAliases, 2, 0, false,
		fmt.Sprintf("(%s=%s)", attr, v), []string{"1.1"}, nil)
	res, err := c.conn.Search(req)
	if err != nil {
		return "", classifySearch(base, err)
	}
	if len(res.Entries) != 1 {
		return "", nil
	}
	return res.Entries[0].DN, nil
}

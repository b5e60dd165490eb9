package ldap

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/directory"
)

// CheckResult is what "check connection" found: whether the system is
// connected and operational.
type CheckResult struct {
	Flavor   directory.Flavor `json:"flavor"`
	Vendor   string           `json:"vendor,omitempty"`
	Entries  int              `json:"entries"`
	Duration time.Duration    `json:"-"`
	Steps    []string         `json:"steps"`
}

// Check dials, sets up TLS, binds, reads the root DSE, checks that the search
// base exists and that the filter is valid, and counts the entries it matches.
// It stops at the first failure and returns it as a *Problem.
func Check(ctx context.Context, c Config) (*CheckResult, error) {
	start := time.Now()
	res := &CheckResult{}
	if _, err := ldapv3.CompileFilter(c.SearchFilter); err != nil {
		return res, &Problem{Kind: KindFilter, Field: "searchFilter", Err: err, Msg: fmt.Sprintf("search filter %q is malformed: %v", c.SearchFilter, unwrapLDAP(err))}
	}
	conn, err := Dial(ctx, c)
	if err != nil {
		return res, err
	}
	defer conn.Close()
	res.Steps = append(res.Steps, fmt.Sprintf("connected to %s (%s)", c.Address(), securityLabel(c)))
	if c.Username != "" {
		res.Steps = append(res.Steps, fmt.Sprintf("bound as %s", c.Username))
	}
	flavor, vendor, err := conn.RootDSE(ctx)
	if err != nil {
		return res, err
	}
	res.Flavor, res.Vendor = flavor, vendor
	res.Steps = append(res.Steps, fmt.Sprintf("directory is %s", flavor))
	if err := conn.baseExists(c.SearchPath); err != nil {
		return res, err
	}
	res.Steps = append(res.Steps, fmt.Sprintf("search base %s exists", c.SearchPath))
	n, first := 0, ""
	err = conn.Search(ctx, directory.Query{BaseDN: c.SearchPath, Filter: c.SearchFilter, Attributes: []string{"1.1"}, PageSize: c.PageSize},
		func(e *directory.Entry) error {
			if n == 0 {
				first = e.DN
			}
			n++
			return nil
		})
	if err != nil {
		return res, err
	}
	res.Entries = n
	res.Steps = append(res.Steps, fmt.Sprintf("filter %s matches %d entries", c.SearchFilter, n))
	if len(c.MustWrite) > 0 {
		step, err := conn.checkWrites(ctx, c, first)
		if err != nil {
			return res, err
		}
		res.Steps = append(res.Steps, step)
	}
	res.Duration = time.Since(start)
	return res, nil
}

func unwrapLDAP(err error) error {
	if le, ok := err.(*ldapv3.Error); ok && le.Err != nil {
		return le.Err
	}
	return err
}

func securityLabel(c Config) string {
	switch {
	case c.Security == SecurityNone:
		return "no TLS"
	case c.TLSSkipVerify:
		return c.Security + ", certificate NOT verified"
	default:
		return c.Security + ", certificate verified"
	}
}

func (c *Conn) baseExists(base string) error {
	req := ldapv3.NewSearchRequest(base, ldapv3.ScopeBaseObject, ldapv3.NeverDerefAliases, 1, 0, false, "(objectClass=*)", []string{"1.1"}, nil)
	if _, err := c.conn.Search(req); err != nil {
		return classifySearch(base, err)
	}
	return nil
}

// RootDSE reads the server's root DSE and tells Active Directory, OpenLDAP
// and other servers apart.
func (c *Conn) RootDSE(ctx context.Context) (directory.Flavor, string, error) {
	if err := ctx.Err(); err != nil {
		return "", "", err
	}
	req := ldapv3.NewSearchRequest("", ldapv3.ScopeBaseObject, ldapv3.NeverDerefAliases, 1, 0, false, "(objectClass=*)",
		[]string{"objectClass", "supportedCapabilities", "vendorName", "vendorVersion", "defaultNamingContext", "forestFunctionality"}, nil)
	res, err := c.conn.Search(req)
	if err != nil {
		return "", "", classifySearch("(root DSE)", err)
	}
	if len(res.Entries) == 0 {
		c.flavor = directory.FlavorOther
		return c.flavor, "", nil
	}
	e := res.Entries[0]
	vendor := strings.TrimSpace(e.GetAttributeValue("vendorName") + " " + e.GetAttributeValue("vendorVersion"))
	switch {
	// 1.2.840.113556.1.4.800 is LDAP_CAP_ACTIVE_DIRECTORY_OID, which both
	// Windows and Samba domain controllers announce.
	case slices.Contains(e.GetAttributeValues("supportedCapabilities"), "1.2.840.113556.1.4.800"):
		c.flavor = directory.FlavorActiveDirectory
	case slices.ContainsFunc(e.GetAttributeValues("objectClass"), func(s string) bool { return strings.EqualFold(s, "OpenLDAProotDSE") }):
		c.flavor = directory.FlavorOpenLDAP
	default:
		c.flavor = directory.FlavorOther
	}
	return c.flavor, vendor, nil
}

// Flavor returns the flavor found by the last RootDSE call.
func (c *Conn) Flavor() directory.Flavor { return c.flavor }

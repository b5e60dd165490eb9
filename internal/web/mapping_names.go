package web

import (
	"regexp"
	"sort"

	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/mapping"
)

// The mapping table suggests names: the directory attributes and the
// application fields the baselines of every directory flavor use, plus
// common attributes of inetOrgPerson and Active Directory users.

var attrRE = regexp.MustCompile(`\[([A-Za-z][A-Za-z0-9-]*)\]`)

// mappingNames collects the baselines' sources (and the attributes their
// expressions read) and targets.
func mappingNames() (attrs, targets []string) {
	a := map[string]bool{"cn": true, "uid": true, "mail": true, "sAMAccountName": true, "userPrincipalName": true,
		"memberOf": true, "manager": true, "employeeType": true, "proxyAddresses": true, "objectGUID": true, "entryUUID": true}
	tg := map[string]bool{}
	for _, f := range []directory.Flavor{directory.FlavorOpenLDAP, directory.FlavorActiveDirectory, mapping.FlavorEntraID} {
		for _, m := range mapping.Baseline(f).Mappings {
			if m.Source != "" {
				a[m.Source] = true
			}
			for _, sub := range attrRE.FindAllStringSubmatch(m.Expression, -1) {
				a[sub[1]] = true
			}
			tg[m.Target] = true
		}
	}
	keys := func(m map[string]bool) []string {
		out := make([]string, 0, len(m))
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	return keys(a), keys(tg)
}

func init() {
	attrs, targets := mappingNames()
	funcs["attributeNames"] = func() []string { return attrs }
	funcs["targetNames"] = func() []string { return targets }
}

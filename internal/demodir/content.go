package demodir

import (
	"crypto/sha256"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The demo domain's names.
const (
	Domain         = "contoso.test"
	NetBIOSName    = "CONTOSO"
	BaseDN         = "DC=contoso,DC=test"
	PeopleDN       = "OU=People," + BaseDN
	GroupsDN       = "OU=Groups," + BaseDN
	ServiceDN      = "OU=Service Accounts," + BaseDN
	BindDN         = "CN=usersync," + ServiceDN
	PersonCategory = "CN=Person,CN=Schema,CN=Configuration," + BaseDN
	GroupCategory  = "CN=Group,CN=Schema,CN=Configuration," + BaseDN
	// NTDSSettingsDN is the domain controller's dsServiceName.
	NTDSSettingsDN = "CN=NTDS Settings,CN=DC1,CN=Servers,CN=Default-First-Site-Name,CN=Sites,CN=Configuration," + BaseDN
	// SitePrefix is the connection name the site groups are written for
	// ("demo_Berlin", "demo_AllSites"), matching `usersync demo`.
	SitePrefix = "demo"
	// UserCount is how many people the sample directory holds.
	UserCount = 100
	// DemoPassword is the password of every demo person, for auth demos.
	DemoPassword = "Demo-Passw0rd"
	// disabledIndex is the position of the one disabled person.
	disabledIndex = 42
)

var firstNames = []string{
	"Anna", "Ben", "Chloe", "David", "Elena", "Farid", "Grace", "Hannah", "Ines", "Jonas",
	"Kenji", "Laura", "Mateo", "Nadia", "Oliver", "Priya", "Quentin", "Rosa", "Samuel", "Tara",
	"Umar", "Valentina", "William", "Ximena", "Yusuf", "Zoe", "Lukas", "Mei", "Noah", "Sofia",
}

var lastNames = []string{
	"Schmidt", "Okafor", "Martin", "Nguyen", "Kowalski", "Rossi", "Haddad", "Johansson", "Tanaka", "Garcia",
	"Müller", "Dubois", "O'Brien", "Singh", "Petrov", "Silva", "Andersen", "Cohen", "Fischer", "Moreau",
	"Kim", "Novak", "Walker", "Becker", "Costa", "Yilmaz", "Larsen", "Fernandes", "Weber", "Lopez",
	"Ito", "Meyer", "Hughes",
}

// site is an office with its postal details; Name is also the site group suffix.
type site struct{ Name, State, PostalCode, Country, Phone string }

var sites = []site{
	{"Berlin", "Berlin", "10115", "Germany", "+49 30 5550"},
	{"London", "England", "EC1A 1BB", "United Kingdom", "+44 20 7946"},
	{"Seattle", "WA", "98101", "United States", "+1 206 555"},
	{"Sydney", "NSW", "2000", "Australia", "+61 2 5550"},
}

// department is a team with its job titles; Name is also its group's name.
type department struct {
	Name   string
	Titles []string
}

var departments = []department{
	{"Engineering", []string{"Software Engineer", "Senior Software Engineer", "Site Reliability Engineer", "Engineering Manager"}},
	{"Sales", []string{"Account Executive", "Sales Development Representative", "Sales Manager"}},
	{"Finance", []string{"Accountant", "Financial Analyst", "Controller"}},
	{"Support", []string{"Support Engineer", "Support Specialist", "Support Team Lead"}},
}

// AppEntities are the application's permission sets, groups and sites that
// match the sample directory's groups by exact name, so that
// a demo shows group rules at work: a permission set and an application
// group per department, and one site per "demo_<site>" group.
func AppEntities() (permissionSets, groups, siteNames []string) {
	for _, d := range departments {
		permissionSets = append(permissionSets, d.Name)
		groups = append(groups, d.Name)
	}
	for _, st := range sites {
		siteNames = append(siteNames, st.Name)
	}
	return permissionSets, groups, siteNames
}

// person is one generated demo user.
type person struct {
	Given, Surname, Login string
	Site                  site
	Dept                  department
	Title                 string
	Index                 int
}

// people returns the deterministic demo population.
func people() []person {
	seen := map[string]bool{}
	out := make([]person, 0, UserCount)
	for i := 0; len(out) < UserCount; i++ {
		given := firstNames[(i*7)%len(firstNames)]
		sur := lastNames[(i*13+i/len(firstNames))%len(lastNames)]
		login := strings.ToLower(asciiFold(given) + "." + asciiFold(sur))
		if seen[login] {
			continue
		}
		seen[login] = true
		n := len(out)
		d := departments[(n*3)%len(departments)]
		out = append(out, person{
			Given: given, Surname: sur, Login: login, Index: n,
			Site: sites[(n*5/3)%len(sites)], Dept: d, Title: d.Titles[n%len(d.Titles)],
		})
	}
	return out
}

// asciiFold makes a name usable as a login: umlauts spelled out, apostrophes dropped.
func asciiFold(s string) string {
	return strings.NewReplacer("ü", "ue", "ö", "oe", "ä", "ae", "Ü", "Ue", "'", "").Replace(s)
}

// guid returns 16 deterministic bytes shaped like a version-4 GUID.
func guid(seed string) string {
	sum := sha256.Sum256([]byte("contoso.test/" + seed))
	b := sum[:16]
	b[7] = b[7]&0x0f | 0x40 // version 4, in AD's little-endian third group
	b[8] = b[8]&0x3f | 0x80
	return string(b)
}

func attrs(kv ...any) []attribute {
	out := make([]attribute, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		var vals []string
		switch v := kv[i+1].(type) {
		case string:
			vals = []string{v}
		case []string:
			vals = v
		}
		if len(vals) > 0 && vals[0] != "" {
			out = append(out, attribute{name: kv[i].(string), values: vals})
		}
	}
	return out
}

func groupDN(name string) string { return "CN=" + name + "," + GroupsDN }

// populate fills the store with the domain, its containers, the service
// account, the people and their groups.
func populate(s *store) {
	when := time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
	s.add(BaseDN, attrs("objectClass", []string{"top", "domain", "domainDNS"}, "dc", "contoso", "name", "contoso"), when)
	for _, ou := range []string{"People", "Groups", "Service Accounts"} {
		s.add("OU="+ou+","+BaseDN, attrs("objectClass", []string{"top", "organizationalUnit"}, "ou", ou, "name", ou,
			"objectGUID", guid("ou/"+ou)), when)
	}
	s.add(BindDN, attrs("objectClass", []string{"top", "person", "organizationalPerson", "user"},
		"objectCategory", PersonCategory, "cn", "usersync", "name", "usersync", "sAMAccountName", "usersync",
		"userPrincipalName", "usersync@"+Domain, "displayName", "usersync service account",
		"userAccountControl", "66048", "objectGUID", guid("svc/usersync")), when)

	// The domain controller's NTDS Settings object carries the database's
	// invocationId, which incremental readers pair with highestCommittedUSN.
	s.add(NTDSSettingsDN, attrs("objectClass", []string{"top", "applicationSettings", "nTDSDSA"},
		"cn", "NTDS Settings", "invocationId", guid("dc1/invocation"), "objectGUID", guid("dc1/ntds")), when)

	members := map[string][]string{}
	pp := people()
	for _, p := range pp {
		dn := "CN=" + p.Given + " " + p.Surname + "," + PeopleDN
		groups := []string{groupDN(p.Dept.Name), groupDN(SitePrefix + "_" + p.Site.Name), groupDN(SitePrefix + "_AllSites")}
		if p.Index%25 == 0 {
			groups = append(groups, groupDN("Administrator"))
		}
		for _, g := range groups {
			members[g] = append(members[g], dn)
		}
		mail, mobile, uac := p.Login+"@"+Domain, "", "512"
		if p.Index%23 == 11 {
			mail = "" // a few people without a mailbox
		}
		if p.Index%3 == 0 {
			mobile = fmt.Sprintf("+1 555 01%02d", p.Index)
		}
		if p.Index == disabledIndex {
			uac = "514"
		}
		s.add(dn, attrs("objectClass", []string{"top", "person", "organizationalPerson", "user"},
			"objectCategory", PersonCategory, "cn", p.Given+" "+p.Surname, "name", p.Given+" "+p.Surname,
			"sAMAccountName", p.Login, "userPrincipalName", p.Login+"@"+Domain,
			"givenName", p.Given, "sn", p.Surname, "displayName", p.Given+" "+p.Surname,
			"mail", mail, "telephoneNumber", fmt.Sprintf("%s %03d", p.Site.Phone, 100+p.Index), "mobile", mobile,
			"department", p.Dept.Name, "title", p.Title, "company", "Contoso",
			"l", p.Site.Name, "st", p.Site.State, "postalCode", p.Site.PostalCode, "co", p.Site.Country,
			"employeeID", strconv.Itoa(100001+p.Index), "memberOf", groups,
			"userAccountControl", uac, "objectGUID", guid("user/"+p.Login)),
			when.Add(time.Duration(p.Index)*time.Hour))
	}
	groupNames := []string{"Administrator", SitePrefix + "_AllSites"}
	for _, d := range departments {
		groupNames = append(groupNames, d.Name)
	}
	for _, st := range sites {
		groupNames = append(groupNames, SitePrefix+"_"+st.Name)
	}
	for _, g := range groupNames {
		s.add(groupDN(g), attrs("objectClass", []string{"top", "group"}, "objectCategory", GroupCategory,
			"cn", g, "name", g, "sAMAccountName", g, "member", members[groupDN(g)], "objectGUID", guid("group/"+g)), when)
	}
}

// isPerson reports whether the entry is a person user in the People OU.
func isPerson(e *entry) bool {
	return e.inScope(normalizeDN(PeopleDN), 2) && len(e.rdns) > len(normalizeDN(PeopleDN)) &&
		hasValue(e.get("objectClass"), "user")
}

func hasValue(vals []string, want string) bool {
	for _, v := range vals {
		if strings.EqualFold(v, want) {
			return true
		}
	}
	return false
}

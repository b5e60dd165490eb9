package graph

import (
	"fmt"
)

// Scale describes a generated tenant.
type Scale struct {
	Users int
	// Groups is the number of groups; each has MembersPerGroup members
	// taken in turn from the users.
	Groups          int
	MembersPerGroup int
	// BigGroupMembers, when set, makes the first group hold that many
	// users (the benchmark's group of 20,000).
	BigGroupMembers int
	// Domain is the UPN suffix; contoso.example when empty.
	Domain string
}

// GenUserID and GenGroupID are the ids Generate gives the n-th user and
// group (from 0), so that tests and benchmarks can name them.
func GenUserID(n int) string  { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }
func GenGroupID(n int) string { return fmt.Sprintf("00000000-0000-4000-9000-%012d", n) }

// GenUPN is the userPrincipalName Generate gives the n-th user.
func GenUPN(n int, domain string) string {
	if domain == "" {
		domain = "contoso.example"
	}
	return fmt.Sprintf("user%06d@%s", n, domain)
}

var departments = []string{"Sales", "Engineering", "Finance", "Support", "Marketing", "Legal", "Operations", "Research"}

// Generate fills the tenant with sc.Users users and sc.Groups groups,
// quickly enough for a benchmark of a hundred thousand users.
func (s *Server) Generate(sc Scale) error {
	for i := 0; i < sc.Users; i++ {
		given := fmt.Sprintf("Given%d", i)
		sur := fmt.Sprintf("Surname%d", i)
		u := User{
			ID:                GenUserID(i),
			UserPrincipalName: GenUPN(i, sc.Domain),
			DisplayName:       given + " " + sur,
			GivenName:         given,
			Surname:           sur,
			Mail:              GenUPN(i, sc.Domain),
			JobTitle:          "Engineer",
			Department:        departments[i%len(departments)],
			OfficeLocation:    fmt.Sprintf("Building %d", i%20),
			EmployeeID:        fmt.Sprintf("E%07d", i),
			PreferredLanguage: "en-US",
		}
		if _, err := s.PutUser(u); err != nil {
			return err
		}
	}
	if sc.Groups == 0 {
		return nil
	}
	next := 0
	for gi := 0; gi < sc.Groups; gi++ {
		g := Group{ID: GenGroupID(gi), DisplayName: fmt.Sprintf("Group %04d", gi)}
		n := sc.MembersPerGroup
		if gi == 0 && sc.BigGroupMembers > 0 {
			n = sc.BigGroupMembers
		}
		n = min(n, sc.Users)
		g.Members = make([]string, 0, n)
		for j := 0; j < n; j++ {
			g.Members = append(g.Members, GenUserID(next%sc.Users))
			next++
		}
		if _, err := s.PutGroup(g); err != nil {
			return err
		}
	}
	return nil
}

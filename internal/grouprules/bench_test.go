package grouprules

import (
	"fmt"
	"testing"

	"github.com/usersync/usersync/internal/store"
)

// BenchmarkResolve builds the graph of 100,000 users in 1,000 groups (each
// user in two groups, and every user of the first 20,000 also in one big
// group) from the groups' member lists, as the member-attribute read does,
// then resolves every user, nested groups followed. One op is a whole run's
// membership resolution.
func BenchmarkResolve(b *testing.B) {
	const users, groups, big = 100_000, 1_000, 20_000
	userDN := make([]string, users)
	for i := range userDN {
		userDN[i] = fmt.Sprintf("uid=user%06d,ou=people,dc=example,dc=com", i)
	}
	members := make([][]string, groups)
	for i := range users {
		members[i%groups] = append(members[i%groups], userDN[i])
		members[(i*7+3)%groups] = append(members[(i*7+3)%groups], userDN[i])
	}
	members[0] = append(members[0][:0], userDN[:big]...)
	var ents []store.Entity
	for gi := range groups {
		if gi%2 == 0 {
			ents = append(ents, store.Entity{ID: int64(gi + 1), Kind: store.KindPermissionSet, Name: fmt.Sprintf("group%04d", gi)})
		}
	}
	cat := NewCatalog(ents)
	memberships := 0
	for _, m := range members {
		memberships += len(m)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		g := NewGraph()
		for gi, ms := range members {
			idx := g.AddGroup(fmt.Sprintf("cn=group%04d,ou=groups,dc=example,dc=com", gi), fmt.Sprintf("group%04d", gi))
			for _, m := range ms {
				g.AddMember(idx, m)
			}
			if gi > 0 && gi%10 == 0 { // some nesting
				g.AddMember(idx-1, fmt.Sprintf("cn=group%04d,ou=groups,dc=example,dc=com", gi))
			}
		}
		r, err := NewRules(Config{DataSource: "corp", AdminGroup: "Administrator", Nested: true}, cat, g)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for _, dn := range userDN {
			n += len(r.Resolve(g.Direct(dn)).Entities)
		}
		if n == 0 {
			b.Fatal("no memberships resolved")
		}
	}
	b.ReportMetric(float64(memberships), "memberships/op")
}

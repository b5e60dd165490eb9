package grouprules

import (
	"reflect"
	"slices"
	"testing"

	"github.com/usersync/usersync/internal/store"
)

// fixture is a small directory: users u1..u4 and groups, some nested.
//
//	APM ⊃ Engineering ⊃ Platform ⊃ (cycle back to) Engineering
//	APM ⊃ Administrator, corp_Berlin
//	Sales (outside APM), corp_AllSites, CORP_Atlantis
func fixture(t *testing.T) (*Graph, *Catalog) {
	t.Helper()
	g := NewGraph()
	add := func(name string, members ...string) int32 {
		gi := g.AddGroup("cn="+name+",ou=groups,dc=x", name)
		for _, m := range members {
			g.AddMember(gi, m)
		}
		return gi
	}
	add("APM", "cn=Engineering,ou=groups,dc=x", "cn=Administrator,ou=groups,dc=x", "cn=corp_Berlin,ou=groups,dc=x")
	add("Engineering", "uid=u1,dc=x", "cn=Platform,ou=groups,dc=x")
	add("Platform", "uid=u2,dc=x", "cn=Engineering,ou=groups,dc=x") // a cycle
	add("Administrator", "uid=u3,dc=x")
	add("corp_Berlin", "uid=u1,dc=x")
	add("Sales", "uid=u4,dc=x")
	add("corp_AllSites", "uid=u4,dc=x")
	add("CORP_Atlantis", "uid=u3,dc=x")
	cat := NewCatalog([]store.Entity{
		{ID: 1, Kind: store.KindPermissionSet, Name: "Engineering"},
		{ID: 2, Kind: store.KindGroup, Name: "Engineering"},
		{ID: 3, Kind: store.KindPermissionSet, Name: "Platform"},
		{ID: 4, Kind: store.KindPermissionSet, Name: "Sales"},
		{ID: 5, Kind: store.KindSite, Name: "Berlin"},
		{ID: 6, Kind: store.KindSite, Name: "Paris"},
		{ID: 7, Kind: store.KindPermissionSet, Name: "engineering"},
	})
	return g, cat
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name     string
		cfg      Config
		user     string
		entities []int64
		super    bool
		inScope  bool
		warnings int
	}{
		{"exact names and a site", Config{}, "uid=u1,dc=x", []int64{1, 2, 5}, false, true, 0},
		{"nested ignored by default", Config{}, "uid=u2,dc=x", []int64{3}, false, true, 0},
		{"nested followed, cycle ends", Config{Nested: true}, "uid=u2,dc=x", []int64{1, 2, 3}, false, true, 0},
		{"admin and a missing site", Config{}, "uid=u3,dc=x", nil, true, true, 1},
		{"AllSites", Config{}, "uid=u4,dc=x", []int64{4, 5, 6}, false, true, 0},
		{"in no group", Config{}, "uid=u9,dc=x", nil, false, false, 0},
		{"parent: direct sub-groups only", Config{Parent: "cn=APM,ou=groups,dc=x"}, "uid=u2,dc=x", nil, false, false, 0},
		{"parent: nested sub-groups", Config{Parent: "cn=APM,ou=groups,dc=x", Nested: true}, "uid=u2,dc=x", []int64{1, 2, 3}, false, true, 0},
		{"parent: outside groups do not count", Config{Parent: "cn=apm,ou=groups,dc=x"}, "uid=u4,dc=x", nil, false, false, 0},
		{"parent: admin inside", Config{Parent: "cn=APM,ou=groups,dc=x"}, "uid=u3,dc=x", nil, true, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, cat := fixture(t)
			tt.cfg.DataSource, tt.cfg.AdminGroup = "corp", "Administrator"
			r, err := NewRules(tt.cfg, cat, g)
			if err != nil {
				t.Fatal(err)
			}
			d := r.Resolve(g.Direct(tt.user))
			if !reflect.DeepEqual(d.Entities, tt.entities) || d.SuperUser != tt.super || d.InScope != tt.inScope || len(d.Warnings) != tt.warnings {
				t.Fatalf("Resolve = %+v, want entities %v super %v inScope %v and %d warnings", d, tt.entities, tt.super, tt.inScope, tt.warnings)
			}
		})
	}
}

func TestUnknownParent(t *testing.T) {
	g, cat := fixture(t)
	if _, err := NewRules(Config{Parent: "cn=nope,dc=x"}, cat, g); err == nil {
		t.Fatal("NewRules accepted a parent group that was not read")
	}
}

func TestAncestorsCycle(t *testing.T) {
	g := NewGraph()
	a, b, c := g.AddGroup("cn=a", ""), g.AddGroup("cn=b", ""), g.AddGroup("cn=c", "")
	g.AddMember(b, "cn=a") // a ∈ b ∈ c ∈ a
	g.AddMember(c, "cn=b")
	g.AddMember(a, "cn=c")
	for _, gi := range []int32{a, b, c} {
		if got := g.Ancestors(gi); !reflect.DeepEqual(got, []int32{0, 1, 2}) {
			t.Fatalf("Ancestors(%d) = %v", gi, got)
		}
	}
	if g.Name(a) != "a" {
		t.Fatalf("name from RDN = %q", g.Name(a))
	}
}

func TestMemberOfGraph(t *testing.T) {
	g := NewGraph()
	g.AddMemberOf("CN=Platform,DC=x", []string{"CN=Engineering, DC=x"})
	if got := g.Expand([]int32{g.AddGroup("cn=platform,dc=x", "")}, nil); len(got) != 2 {
		t.Fatalf("Expand = %v", got)
	}
}

func TestDiff(t *testing.T) {
	add, remove := diff([]int64{1, 3, 5}, []int64{2, 3, 6})
	if !slices.Equal(add, []int64{2, 6}) || !slices.Equal(remove, []int64{1, 5}) {
		t.Fatalf("diff = %v, %v", add, remove)
	}
}

func TestStripUID(t *testing.T) {
	if got := stripUID("uid=a,dc=x#'0101'B"); got != "uid=a,dc=x" {
		t.Fatalf("stripUID = %q", got)
	}
}

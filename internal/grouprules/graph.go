package grouprules

import (
	"slices"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// Graph holds the directory's groups and who is a direct member of which
// group, keyed by normalised DN. Ancestors follows nesting with cycle
// protection and memoises the result per group, so resolving every user
// costs time proportional to their memberships.
type Graph struct {
	groups  []node
	byDN    map[string]int32
	parents map[string][]int32 // member DN → groups it is a direct member of
}

type node struct {
	dn, name  string
	ancestors []int32 // memoised; valid when expanded
	expanded  bool
}

// NewGraph returns an empty graph.
func NewGraph() *Graph {
	return &Graph{byDN: map[string]int32{}, parents: map[string][]int32{}}
}

// normDN is a cheap canonical form for comparing DNs as directories return
// them: lower case, no blanks after the commas between RDNs.
func normDN(dn string) string {
	dn = strings.ToLower(dn)
	if strings.Contains(dn, ", ") {
		dn = strings.ReplaceAll(dn, ", ", ",")
	}
	return dn
}

// AddGroup registers a group and returns its index. name is its cn; when
// empty it is taken from the DN's first RDN.
func (g *Graph) AddGroup(dn, name string) int32 {
	key := normDN(dn)
	if i, ok := g.byDN[key]; ok {
		if name != "" {
			g.groups[i].name = name
		}
		return i
	}
	if name == "" {
		name = rdnValue(dn)
	}
	i := int32(len(g.groups))
	g.groups = append(g.groups, node{dn: dn, name: name})
	g.byDN[key] = i
	return i
}

// AddMember records that memberDN (a user or a group) is a direct member of
// group gi, as a group's member attribute says.
func (g *Graph) AddMember(gi int32, memberDN string) {
	key := normDN(memberDN)
	if !slices.Contains(g.parents[key], gi) {
		g.parents[key] = append(g.parents[key], gi)
	}
}

// AddMemberOf records that childDN is a direct member of each group in
// groupDNs, as its memberOf attribute says; unknown groups are registered
// with the name of their first RDN.
func (g *Graph) AddMemberOf(childDN string, groupDNs []string) {
	for _, p := range groupDNs {
		g.AddMember(g.AddGroup(p, ""), childDN)
	}
}

// Lookup returns the index of the group with the given DN.
func (g *Graph) Lookup(dn string) (int32, bool) {
	i, ok := g.byDN[normDN(dn)]
	return i, ok
}

// Len is the number of groups.
func (g *Graph) Len() int { return len(g.groups) }

// Name is the name (cn) of group i.
func (g *Graph) Name(i int32) string { return g.groups[i].name }

// Direct returns the groups dn is a direct member of. The slice belongs to
// the graph.
func (g *Graph) Direct(dn string) []int32 { return g.parents[normDN(dn)] }

// Ancestors returns every group that group i is nested in, at any depth,
// without i itself unless i is part of a cycle. A membership cycle ends
// the walk where it closes: each group is visited once.
func (g *Graph) Ancestors(i int32) []int32 {
	n := &g.groups[i]
	if n.expanded {
		return n.ancestors
	}
	seen := map[int32]bool{}
	var out []int32
	stack := slices.Clone(g.parents[normDN(n.dn)])
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, p)
		if pn := &g.groups[p]; pn.expanded {
			for _, a := range pn.ancestors {
				if !seen[a] {
					seen[a] = true
					out = append(out, a)
				}
			}
			continue
		}
		stack = append(stack, g.parents[normDN(g.groups[p].dn)]...)
	}
	slices.Sort(out)
	n.ancestors, n.expanded = out, true
	return out
}

// Expand returns direct together with every group they are nested in,
// sorted and without duplicates, in buf.
func (g *Graph) Expand(direct []int32, buf []int32) []int32 {
	buf = append(buf[:0], direct...)
	for _, d := range direct {
		buf = append(buf, g.Ancestors(d)...)
	}
	slices.Sort(buf)
	return slices.Compact(buf)
}

// rdnValue is the value of a DN's first RDN ("Engineering" for
// "CN=Engineering,OU=Groups,DC=example,DC=com"), or the DN itself.
func rdnValue(dn string) string {
	parsed, err := ldap.ParseDN(dn)
	if err != nil || len(parsed.RDNs) == 0 || len(parsed.RDNs[0].Attributes) == 0 {
		return dn
	}
	return parsed.RDNs[0].Attributes[0].Value
}

package grouprules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/usersync/usersync/internal/store"
)

// Catalog is the application's permission sets, application groups and
// sites, looked up by exact name.
type Catalog struct {
	byName map[string]map[string]int64 // kind → name → id
	sites  []int64
	byID   map[int64]store.Entity
}

// NewCatalog indexes entities.
func NewCatalog(entities []store.Entity) *Catalog {
	c := &Catalog{byName: map[string]map[string]int64{}, byID: map[int64]store.Entity{}}
	for _, e := range entities {
		if c.byName[e.Kind] == nil {
			c.byName[e.Kind] = map[string]int64{}
		}
		c.byName[e.Kind][e.Name] = e.ID
		c.byID[e.ID] = e
		if e.Kind == store.KindSite {
			c.sites = append(c.sites, e.ID)
		}
	}
	return c
}

// Entity returns the entity with the given id.
func (c *Catalog) Entity(id int64) store.Entity { return c.byID[id] }

// Config is what the rules need from a connection.
type Config struct {
	// DataSource is the connection's name: the "<data source>" of site
	// groups, matched case-insensitively (connection names are lower-case
	// slugs, directory groups are often not).
	DataSource string
	// AdminGroup is the name of the group whose members are super users.
	AdminGroup string
	// Parent, when set, is the DN of the parent group: only its sub-groups
	// (groups that are members of it) count.
	Parent string
	// Nested follows nested groups.
	Nested bool
	// StatusRule makes a user in none of the in-scope groups inactive.
	StatusRule bool
}

// Rules resolves directory groups to application memberships. What a group
// contributes is worked out once per group and reused for every member.
type Rules struct {
	cfg    Config
	cat    *Catalog
	g      *Graph
	parent int32 // -1: no parent group configured
	memo   []contribution
	buf    []int32
}

// contribution is what membership in one group gives a user.
type contribution struct {
	done        bool
	inScope     bool
	entities    []int64
	admin       bool
	allSites    bool
	missingSite string
}

// Desired is what the rules say one user should hold.
type Desired struct {
	// Entities are the ids of the permission sets, application groups and
	// sites the user should hold, sorted.
	Entities []int64
	// SuperUser says the user is in the admin group.
	SuperUser bool
	// InScope says the user is in at least one in-scope group.
	InScope bool
	// Warnings name site groups whose site does not exist.
	Warnings []string
}

// ErrParentNotFound is reported when the configured parent group is not
// among the groups read.
var ErrParentNotFound = fmt.Errorf("grouprules: parent group not found")

// NewRules prepares the rules over a graph of groups.
func NewRules(cfg Config, cat *Catalog, g *Graph) (*Rules, error) {
	r := &Rules{cfg: cfg, cat: cat, g: g, parent: -1}
	if cfg.Parent != "" {
		p, ok := g.Lookup(cfg.Parent)
		if !ok {
			return nil, fmt.Errorf("%w: %q is not among the groups read (check parentGroup, groupSearchPath and groupSearchFilter)", ErrParentNotFound, cfg.Parent)
		}
		r.parent = p
	}
	return r, nil
}

// Resolve returns what a user whose direct groups are direct should hold.
func (r *Rules) Resolve(direct []int32) Desired {
	groups := direct
	if r.cfg.Nested {
		r.buf = r.g.Expand(direct, r.buf)
		groups = r.buf
	}
	var d Desired
	allSites := false
	for _, gi := range groups {
		c := r.contribution(gi)
		if !c.inScope {
			continue
		}
		d.InScope = true
		d.Entities = append(d.Entities, c.entities...)
		d.SuperUser = d.SuperUser || c.admin
		allSites = allSites || c.allSites
		if c.missingSite != "" {
			d.Warnings = append(d.Warnings, c.missingSite)
		}
	}
	if allSites {
		d.Entities = append(d.Entities, r.cat.sites...)
	}
	if len(d.Entities) > 1 {
		slices.Sort(d.Entities)
		d.Entities = slices.Compact(d.Entities)
	}
	return d
}

func (r *Rules) contribution(gi int32) *contribution {
	if int(gi) >= len(r.memo) {
		r.memo = append(r.memo, make([]contribution, r.g.Len()-len(r.memo))...)
	}
	c := &r.memo[gi]
	if c.done {
		return c
	}
	c.done = true
	c.inScope = r.inScope(gi)
	if !c.inScope {
		return c
	}
	name := r.g.Name(gi)
	for _, kind := range []string{store.KindPermissionSet, store.KindGroup} {
		if id, ok := r.cat.byName[kind][name]; ok {
			c.entities = append(c.entities, id)
		}
	}
	c.admin = name == r.cfg.AdminGroup
	if prefix := r.cfg.DataSource + "_"; len(name) > len(prefix) && strings.EqualFold(name[:len(prefix)], prefix) {
		site := name[len(prefix):]
		if site == "AllSites" {
			c.allSites = true
		} else if id, ok := r.cat.byName[store.KindSite][site]; ok {
			c.entities = append(c.entities, id)
		} else {
			c.missingSite = fmt.Sprintf("group %q names site %q, which does not exist", name, site)
		}
	}
	return c
}

// inScope says whether a group counts: every group without a parent group,
// else only the parent's sub-groups (direct members of it; at any depth
// when nested groups are followed).
func (r *Rules) inScope(gi int32) bool {
	if r.parent < 0 {
		return true
	}
	if gi == r.parent {
		return false
	}
	if r.cfg.Nested {
		_, found := slices.BinarySearch(r.g.Ancestors(gi), r.parent)
		return found
	}
	return slices.Contains(r.g.Direct(r.g.groups[gi].dn), r.parent)
}

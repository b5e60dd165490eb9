package connection

import (
	"fmt"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// Ways of reading group memberships (groupMembership).
const (
	// MembershipAuto reads memberOf on Active Directory and the groups'
	// member attribute elsewhere (OpenLDAP keeps no memberOf without its
	// overlay).
	MembershipAuto = ""
	// MembershipMemberOf reads the users' ruleCriteriaAttribute (memberOf).
	MembershipMemberOf = "memberOf"
	// MembershipMember reads the groups' member attribute, with Active
	// Directory's ranged retrieval for large groups.
	MembershipMember = "member"
)

// What a sync does with memberships an operator assigned by hand
// (manualAssignments).
const (
	// ManualKeep keeps them: a sync adds and removes only the memberships
	// its group rules manage. It is the default ("" means the same), so
	// that turning group rules on never deletes what operators entered.
	ManualKeep = "keep"
	// ManualOverwrite makes the directory the only source of assignments:
	// every sync of the connection removes the manual permission-set,
	// group and site assignments of its users, as the rule "synchronization
	// overwrites all site assignments, permission set assignments and
	// group assignments" says.
	ManualOverwrite = "overwrite"
)

// OverwritesManual reports whether syncs remove manual assignments.
func (c Connection) OverwritesManual() bool {
	return c.ManualAssignments == ManualOverwrite
}

// DefaultAdminGroup is the directory group whose members become super
// users, unless the connection names another.
const DefaultAdminGroup = "Administrator"

// GroupRulesOn reports whether the connection applies group rules: on
// unless "groupRules": false.
func (c Connection) GroupRulesOn() bool {
	return c.GroupRules == nil || *c.GroupRules
}

// AdminGroupName is adminGroup, or DefaultAdminGroup when empty.
func (c Connection) AdminGroupName() string {
	if c.AdminGroup == "" {
		return DefaultAdminGroup
	}
	return c.AdminGroup
}

// GroupBase is where groups are searched: groupSearchPath, or else the
// domain part (the trailing dc= components) of searchPath, so that
// ou=people,dc=example,dc=com finds groups in ou=groups,dc=example,dc=com.
func (c Connection) GroupBase() string {
	if c.SystemType == SystemEntra {
		return "groups"
	}
	if c.GroupSearchPath != "" {
		return c.GroupSearchPath
	}
	dn, err := ldap.ParseDN(c.SearchPath)
	if err != nil {
		return c.SearchPath
	}
	for i, rdn := range dn.RDNs {
		if len(rdn.Attributes) > 0 && strings.EqualFold(rdn.Attributes[0].Type, "dc") {
			return (&ldap.DN{RDNs: dn.RDNs[i:]}).String()
		}
	}
	return c.SearchPath
}

// DefaultGroupFilter finds Active Directory groups and the usual LDAP group
// classes.
const DefaultGroupFilter = "(|(objectClass=group)(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))"

// GroupFilter is groupSearchFilter, or DefaultGroupFilter when empty.
func (c Connection) GroupFilter() string {
	if c.GroupSearchFilter == "" {
		return DefaultGroupFilter
	}
	return c.GroupSearchFilter
}

func (c Connection) validateGroupRules() []FieldError {
	var probs []FieldError
	add := func(field, format string, args ...any) {
		probs = append(probs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	switch c.GroupMembership {
	case MembershipAuto, MembershipMemberOf, MembershipMember:
	default:
		add("groupMembership", "must be %q, %q or empty (automatic), got %q", MembershipMemberOf, MembershipMember, c.GroupMembership)
	}
	if c.SystemType == SystemEntra {
		// Entra groups are read from Graph's /groups: there is no search
		// path or LDAP filter, and a group is named by its object id.
		if c.ParentGroup != "" && !guidRE.MatchString(c.ParentGroup) {
			add("parentGroup", "must be the parent group's object id (a GUID, shown on the group's Overview page), got %q", c.ParentGroup)
		}
		for _, f := range []struct{ name, v string }{{"groupSearchPath", c.GroupSearchPath}, {"groupSearchFilter", c.GroupSearchFilter}} {
			if f.v != "" {
				add(f.name, "is an LDAP setting and does not apply to an Entra connection: remove it")
			}
		}
	}
	for _, f := range []struct{ name, dn string }{{"groupSearchPath", c.GroupSearchPath}, {"parentGroup", c.ParentGroup}} {
		if f.dn == "" || c.SystemType == SystemEntra {
			continue
		}
		if _, err := ldap.ParseDN(f.dn); err != nil {
			add(f.name, "is not a valid DN: %v", err)
		}
	}
	if c.GroupSearchFilter != "" {
		if _, err := ldap.CompileFilter(c.GroupSearchFilter); err != nil {
			add("groupSearchFilter", "is not a valid LDAP filter: %v", err)
		}
	}
	switch c.ManualAssignments {
	case "", ManualKeep:
	case ManualOverwrite:
		if !c.GroupRulesOn() {
			add("manualAssignments", "%q needs group rules; it cannot be on with \"groupRules\": false", ManualOverwrite)
		}
	default:
		add("manualAssignments", "must be %q (the default) or %q, got %q", ManualKeep, ManualOverwrite, c.ManualAssignments)
	}
	if c.GroupStatusRule && !c.GroupRulesOn() {
		add("groupStatusRule", "needs group rules; it cannot be on with \"groupRules\": false")
	}
	return probs
}

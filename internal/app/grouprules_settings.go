package app

import (
	"context"

	"github.com/usersync/usersync/internal/connection"
)

// GroupRuleSettings are a connection's group-rule fields, edited together
// on their own page.
type GroupRuleSettings struct {
	GroupRules         bool
	GroupMembership    string
	GroupSearchPath    string
	GroupSearchFilter  string
	FollowNestedGroups bool
	ParentGroup        string
	AdminGroup         string
	GroupStatusRule    bool
	ManualAssignments  string
}

// GroupRulesOf returns a connection's group-rule settings.
func GroupRulesOf(c connection.Connection) GroupRuleSettings {
	return GroupRuleSettings{GroupRules: c.GroupRulesOn(), GroupMembership: c.GroupMembership, GroupSearchPath: c.GroupSearchPath,
		GroupSearchFilter: c.GroupSearchFilter, FollowNestedGroups: c.FollowNestedGroups, ParentGroup: c.ParentGroup,
		AdminGroup: c.AdminGroup, GroupStatusRule: c.GroupStatusRule, ManualAssignments: c.ManualAssignments}
}

// SetGroupRules saves a connection's group-rule settings, validated with
// the whole connection (every problem named by its field); the rest of the
// connection, its password included, stays as it is.
func (a *App) SetGroupRules(ctx context.Context, name string, g GroupRuleSettings) (connection.Connection, error) {
	c, _, err := a.Store.GetConnection(ctx, name)
	if err != nil {
		return c, err
	}
	on := g.GroupRules
	c.GroupRules = &on
	c.GroupMembership, c.GroupSearchPath, c.GroupSearchFilter = g.GroupMembership, g.GroupSearchPath, g.GroupSearchFilter
	c.FollowNestedGroups, c.ParentGroup, c.AdminGroup = g.FollowNestedGroups, g.ParentGroup, g.AdminGroup
	c.GroupStatusRule, c.ManualAssignments = g.GroupStatusRule, g.ManualAssignments
	c, _, err = a.PutConnection(ctx, c)
	return c, err
}

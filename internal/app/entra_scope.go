package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/usersync/usersync/internal/directory/msgraph"
	"github.com/usersync/usersync/internal/grouprules"
	"github.com/usersync/usersync/internal/reconcile"
)

// entraScopeMembers reads the users in the groups an Entra connection's
// scope lists, named by displayName or object id: the direct members, or
// with followNestedGroups those of nested groups too (transitiveMembers),
// as the group rules count them. As on LDAP, a listed group that does not
// exist is an error naming it, and so is a scope whose groups have member
// users of which the connection reads none (guests left out, or none
// passes the filter): it would provision nobody and deprovision everyone.
func entraScopeMembers(ctx context.Context, r *msgraph.Reader, job *reconcile.Job, groups []string) ([]string, error) {
	attrs := reconcile.Attributes(*job)
	var members []string
	total := 0
	for i, g := range groups {
		sg, err := r.ScopeGroup(ctx, g, job.Conn.FollowNestedGroups, attrs)
		switch {
		case errors.Is(err, msgraph.ErrGroupNotFound):
			return nil, fmt.Errorf("scope.groups[%d]: %s (%w): %w", i, g, err, grouprules.ErrScopeGroupMissing)
		case err != nil:
			return nil, fmt.Errorf("scope.groups[%d]: read the members of %s: %w", i, g, err)
		}
		total += sg.Total
		members = append(members, sg.Members...)
	}
	if total > 0 && len(members) == 0 {
		why := "guests are not included"
		if job.Conn.Filter != "" {
			why += fmt.Sprintf(" and the filter is %s", job.Conn.Filter)
		}
		return nil, fmt.Errorf("scope.groups: the groups have %d member users but the connection reads none of them (%s): %w",
			total, why, grouprules.ErrScopeMatchesNobody)
	}
	return members, nil
}

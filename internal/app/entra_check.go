package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory/ldap"
	"github.com/usersync/usersync/internal/directory/msgraph"
	"github.com/usersync/usersync/internal/mapping"
)

// Application permissions that let an Entra connection read what it needs:
// any one of each list.
var (
	userPermissions  = []string{"User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	groupPermissions = []string{"GroupMember.Read.All", "Group.Read.All", "Group.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
)

// ErrPermission is wrapped when the application lacks a Graph permission.
var ErrPermission = errors.New("missing Graph permission")

// checkEntra signs in, reads the token's application permissions, and
// asks Graph for a user (and a group when group rules are on). It stops at
// the first failure with one line naming what to fix in the Entra admin
// center.
func checkEntra(ctx context.Context, c connection.Connection) (*ldap.CheckResult, error) {
	start := time.Now()
	res := &ldap.CheckResult{Flavor: mapping.FlavorEntraID}
	r, err := openEntra(c, nil)
	if err != nil {
		return res, err
	}
	tok, err := r.Token(ctx)
	if err != nil {
		return res, err
	}
	how := "a client secret"
	if cred, _ := c.EntraCredential(); cred.Certificate != "" {
		how = "a certificate"
	}
	res.Steps = append(res.Steps, fmt.Sprintf("signed in to tenant %s as application %s with %s", c.TenantID, c.ClientID, how))
	need := [][]string{userPermissions}
	if c.GroupRulesOn() {
		need = append(need, groupPermissions)
	}
	if roles, ok := msgraph.Roles(tok); ok {
		for _, any := range need {
			if !slices.ContainsFunc(any, func(p string) bool { return slices.Contains(roles, p) }) {
				return res, missingPermission(any)
			}
		}
		res.Steps = append(res.Steps, "application permissions: "+strings.Join(roles, ", "))
	}
	_, graph, _ := c.Endpoints()
	for i, coll := range []string{"users", "groups"}[:len(need)] {
		err := r.Probe(ctx, coll)
		var ae *msgraph.APIError
		switch {
		case errors.Is(err, msgraph.ErrUnreachable):
			return res, fmt.Errorf("graphURL: Microsoft Graph at %s is unreachable (check cloud or graphURL, and the proxy and firewall): %w", graph, errors.Unwrap(err))
		case errors.As(err, &ae) && (ae.Status == 403 || ae.Status == 401):
			return res, fmt.Errorf("%w (Graph answered %d %s)", missingPermission(need[i]), ae.Status, ae.Code)
		case err != nil:
			return res, err
		}
		res.Steps = append(res.Steps, fmt.Sprintf("Microsoft Graph at %s reads %s", graph, coll))
	}
	if n, ok := r.CountUsers(ctx); ok {
		res.Entries = n
	}
	res.Duration = time.Since(start)
	return res, nil
}

func missingPermission(anyOf []string) error {
	return fmt.Errorf("%w: the application has none of %s: add %s under API permissions (Microsoft Graph, Application permissions) and grant admin consent",
		ErrPermission, strings.Join(anyOf, ", "), anyOf[0])
}

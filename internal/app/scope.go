package app

import (
	"context"
	"fmt"

	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/directory/msgraph"
	"github.com/usersync/usersync/internal/grouprules"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/reconcile"
)

// scopeMembers gives the job's mapper the direct members of the groups its
// scope lists, read from dir now, so that the scope works on directories
// whose users carry no memberOf. A job whose scope lists no groups is left
// as it is.
func scopeMembers(ctx context.Context, dir directory.Reader, job *reconcile.Job) error {
	m, ok := job.Mapper.(*mapping.Mapper)
	if !ok || len(m.ScopeGroups()) == 0 {
		return nil
	}
	var members []string
	var err error
	if r, ok := dir.(*msgraph.Reader); ok {
		members, err = entraScopeMembers(ctx, r, job, m.ScopeGroups())
	} else {
		members, err = grouprules.ReadScopeMembers(ctx, dir, job.Conn, m.ScopeGroups())
	}
	if err != nil {
		return fmt.Errorf("connection %q: %w", job.Conn.Name, err)
	}
	job.Mapper = m.WithScopeMembers(members)
	return nil
}

// rescope reads the scope's groups again for one live batch, on a
// connection of its own (d.LDAP carries the live stream), so that every
// batch decides with the memberships of now.
func (a *App) rescope(ctx context.Context, d *Directory, job *reconcile.Job) error {
	if m, ok := job.Mapper.(*mapping.Mapper); !ok || len(m.ScopeGroups()) == 0 {
		return nil
	}
	fresh, err := a.OpenDirectory(ctx, d.Conn.Name) // reads the members with the stored settings
	if err != nil {
		return err
	}
	defer fresh.Close()
	if fresh.Job.Mapper.Fingerprint() == job.Mapper.Fingerprint() {
		job.Mapper = fresh.Job.Mapper
		return nil
	}
	return scopeMembers(ctx, fresh.LDAP, job)
}

package app

import (
	"context"
	"fmt"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/directory/msgraph"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/store"
)

// openEntraSource opens an Entra connection's reader and job for
// provisioning on demand; d has no LDAP connection.
func (a *App) openEntraSource(ctx context.Context, c connection.Connection) (*Directory, *msgraph.Reader, error) {
	r, err := openEntra(c, nil)
	if err != nil {
		return nil, nil, err
	}
	job, err := a.entraJob(ctx, c, r)
	if err != nil {
		return nil, nil, err
	}
	c.Password = ""
	job.Conn = c
	return &Directory{Conn: c, Flavor: job.Flavor, Job: job}, r, nil
}

// searchEntraUsers is SearchDirectoryUsers on Entra: users whose name,
// UPN or mail starts with q, as a full read would read them. DN is the
// user's object id, which AddDirectoryUser takes.
func (a *App) searchEntraUsers(ctx context.Context, c connection.Connection, q string) ([]DirectoryUser, bool, error) {
	d, r, err := a.openEntraSource(ctx, c)
	if err != nil {
		return nil, false, err
	}
	entries, more, err := r.FindUsers(ctx, q, reconcile.Attributes(d.Job), MaxDirectoryUsers)
	if err != nil {
		return nil, false, fmt.Errorf("search %q: %w", c.Name, err)
	}
	out := make([]DirectoryUser, 0, len(entries))
	for _, e := range entries {
		out = append(out, d.describe(e))
	}
	return out, more, nil
}

// addEntraUser is AddDirectoryUser on Entra: id is the user's object id.
func (a *App) addEntraUser(ctx context.Context, c connection.Connection, id string, dryRun bool) (*reconcile.Report, error) {
	d, r, err := a.openEntraSource(ctx, c)
	if err != nil {
		return nil, err
	}
	e, ok, err := r.User(ctx, id, reconcile.Attributes(d.Job))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", id, err)
	}
	if !ok {
		return nil, usagef("%s is no user of the tenant, or a guest or the connection's filter excludes it", id)
	}
	job := d.Job
	job.DryRun = dryRun
	ch := reconcile.Changes{Upserts: []*directory.Entry{e}, Trigger: store.TriggerManual}
	if dryRun {
		return a.Engine.ApplyChanges(ctx, job, ch)
	}
	var rep *reconcile.Report
	err = a.WithLease(ctx, c.Name, func(ctx context.Context) error {
		var err error
		rep, err = a.Engine.ApplyChanges(ctx, job, ch)
		return err
	})
	return rep, err
}

// entraSource returns an Entra source connection with its credential;
// ok is false for any other connection (whose errors the LDAP path
// reports).
func (a *App) entraSource(ctx context.Context, name string) (c connection.Connection, ok bool, err error) {
	c, _, err = a.Store.GetConnection(ctx, name)
	if err != nil || c.SystemType != connection.SystemEntra || c.DirectoryType != connection.DirectorySource {
		return c, false, nil
	}
	c, err = a.connectionWithSecret(ctx, name)
	return c, true, err
}

package app

import (
	"context"
	"fmt"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/directory/ldap"
	"github.com/usersync/usersync/internal/directory/msgraph"
	"github.com/usersync/usersync/internal/grouprules"
	"github.com/usersync/usersync/internal/reconcile"
)

// Directory is an open, bound connection to a connection's directory with
// what a run needs to read it, for callers that read it themselves (live
// mode, users explain).
type Directory struct {
	Conn   connection.Connection
	LDAP   *ldap.Conn
	Flavor directory.Flavor
	Job    reconcile.Job
	// Graph reads an Entra connection instead of LDAP, for the operations
	// that support it (explain).
	Graph *msgraph.Reader
}

// Close closes the LDAP connection.
func (d *Directory) Close() error {
	if d.LDAP == nil {
		return nil // Graph is stateless HTTP
	}
	return d.LDAP.Close()
}

// OpenDirectory dials and binds a connection's directory and reads its root
// DSE. It builds the job the same way Sync does.
func (a *App) OpenDirectory(ctx context.Context, name string) (*Directory, error) {
	c, err := a.connectionWithSecret(ctx, name)
	if err != nil {
		return nil, err
	}
	if c.SystemType == connection.SystemEntra {
		return nil, fmt.Errorf("%w: connection %q reads Entra ID through Microsoft Graph, which this operation does not support yet; sync it instead", ErrUsage, name)
	}
	conn, err := ldap.Dial(ctx, ldapConfig(c))
	if err != nil {
		return nil, err
	}
	flavor, _, err := conn.RootDSE(ctx)
	if err != nil {
		conn.Close()
		return nil, err
	}
	job, err := a.job(c, conn, flavor)
	if err == nil {
		err = scopeMembers(ctx, conn, &job)
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	c.Password = ""
	job.Conn = c
	return &Directory{Conn: c, LDAP: conn, Flavor: flavor, Job: job}, nil
}

// ApplyLive applies a batch of live changes under the connection's lease,
// as one incremental run with trigger "live".
func (a *App) ApplyLive(ctx context.Context, d *Directory, ch reconcile.Changes) (*reconcile.Report, error) {
	var rep *reconcile.Report
	err := a.WithLease(ctx, d.Conn.Name, func(ctx context.Context) error {
		var err error
		job := d.Job
		if job.Groups != nil {
			// A group phase holds one run's state, so each batch gets its
			// own, on its own connection: d.LDAP carries the persistent
			// search, and go-ldap reads every response of a connection on
			// one goroutine, which blocks while the live stream's buffer is
			// full, so a search on it from here could wait forever.
			c, err := a.connectionWithSecret(ctx, d.Conn.Name)
			if err != nil {
				return err
			}
			gc, err := ldap.Dial(ctx, ldapConfig(c))
			if err != nil {
				return err
			}
			defer gc.Close()
			if _, _, err := gc.RootDSE(ctx); err != nil { // the flavor picks the read path
				return err
			}
			job.Groups = grouprules.NewPhase(a.Store, gc, d.Conn, d.Flavor)
		}
		if err := a.rescope(ctx, d, &job); err != nil {
			return err
		}
		rep, err = a.Engine.ApplyChanges(ctx, job, ch)
		return err
	})
	return rep, err
}

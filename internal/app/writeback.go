package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/usersync/usersync/internal/certmap"
	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory/ldap"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/writeback"
)

// writebackEngine returns the relying-party engine over the app's store.
func (a *App) writebackEngine() *writeback.Engine {
	return &writeback.Engine{Store: a.Store, Log: a.Log}
}

// syncRelyingParty runs a relying-party connection: link its entries to
// usersync users and write back the UPN and certificate mappings.
func (a *App) syncRelyingParty(ctx context.Context, c connection.Connection, opts SyncOptions) (*reconcile.Report, error) {
	eng := a.writebackEngine()
	conn, err := ldap.Dial(ctx, ldapConfig(c))
	if err != nil {
		return a.failedBeforeStart(ctx, c.Name, opts, err)
	}
	defer conn.Close()
	rep, err := eng.Run(ctx, writeback.Job{Conn: c, Dir: conn, Trigger: opts.Trigger, DryRun: opts.DryRun, Started: opts.Started})
	return &reconcile.Report{Run: rep.Run, Plan: rep.Plan}, err
}

// relyingParty opens a relying-party connection by name for a certificate
// operation; the caller closes the directory.
func (a *App) relyingParty(ctx context.Context, name string) (*writeback.Engine, writeback.Job, *ldap.Conn, error) {
	c, err := a.connectionWithSecret(ctx, name)
	if err != nil {
		return nil, writeback.Job{}, nil, err
	}
	if c.DirectoryType != connection.DirectoryRelyingParty {
		return nil, writeback.Job{}, nil, usagef("connection %q is a %s connection; certificate mappings are written to relying parties", name, c.DirectoryType)
	}
	eng := a.writebackEngine()
	conn, err := ldap.Dial(ctx, ldapConfig(c))
	if err != nil {
		return nil, writeback.Job{}, nil, err
	}
	return eng, writeback.Job{Conn: c, Dir: conn}, conn, nil
}

// EnrollCertificate records a user's certificate (PEM or DER) on a relying
// party and adds its strong mapping of form f to the linked entry's
// altSecurityIdentities.
func (a *App) EnrollCertificate(ctx context.Context, name, userID string, certData []byte, f certmap.Form) (_ writeback.Enrollment, err error) {
	defer func() { a.Audit(ctx, AuditCertEnrol, "connection "+name+" user "+userID, outcomeWord(err)) }()
	cert, err := certmap.ParseCertificate(certData)
	if err != nil {
		return writeback.Enrollment{}, fmt.Errorf("%w: %w", ErrUsage, err)
	}
	eng, job, conn, err := a.relyingParty(ctx, name)
	if err != nil {
		return writeback.Enrollment{}, err
	}
	defer conn.Close()
	return usageIf(eng.Enroll(ctx, job, userID, cert, f))
}

// RevokeCertificate revokes a user's certificate on a relying party and
// removes the mappings usersync wrote for it, whatever their form.
func (a *App) RevokeCertificate(ctx context.Context, name, userID string, certData []byte) (_ writeback.Enrollment, err error) {
	defer func() { a.Audit(ctx, AuditCertRevoke, "connection "+name+" user "+userID, outcomeWord(err)) }()
	cert, err := certmap.ParseCertificate(certData)
	if err != nil {
		return writeback.Enrollment{}, fmt.Errorf("%w: %w", ErrUsage, err)
	}
	mappings, err := certmap.StrongMappings(cert)
	if err != nil {
		return writeback.Enrollment{}, fmt.Errorf("%w: %w", ErrUsage, err)
	}
	eng, job, conn, err := a.relyingParty(ctx, name)
	if err != nil {
		return writeback.Enrollment{}, err
	}
	defer conn.Close()
	return usageIf(eng.Revoke(ctx, job, userID, mappings))
}

// ListCertificates returns the enrolled certificates matching q.
func (a *App) ListCertificates(ctx context.Context, q store.CertificateQuery) ([]store.Certificate, error) {
	eng := a.writebackEngine()
	return eng.Store.ListCertificates(ctx, q)
}

// usageIf marks the errors a caller can fix by naming another user or
// certificate as usage errors.
func usageIf(en writeback.Enrollment, err error) (writeback.Enrollment, error) {
	for _, target := range []error{writeback.ErrNoUser, writeback.ErrNoEntry, writeback.ErrAmbiguousEntry, writeback.ErrNoCertificate} {
		if errors.Is(err, target) {
			return en, fmt.Errorf("%w: %w", ErrUsage, err)
		}
	}
	return en, err
}

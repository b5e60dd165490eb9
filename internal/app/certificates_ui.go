package app

import (
	"context"
	"fmt"

	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/writeback"
)

// RevokeCertificateByID revokes an enrolled certificate named by its
// record, as the certificate list shows it, without the certificate file:
// the record holds the mapping usersync wrote, which is what is removed.
func (a *App) RevokeCertificateByID(ctx context.Context, id int64) (_ writeback.Enrollment, err error) {
	certs, err := a.ListCertificates(ctx, store.CertificateQuery{Status: store.CertActive})
	if err != nil {
		return writeback.Enrollment{}, err
	}
	for _, c := range certs {
		if c.ID != id {
			continue
		}
		defer func() { a.Audit(ctx, AuditCertRevoke, "connection "+c.Connection+" user "+c.UserID, outcomeWord(err)) }()
		eng, job, conn, err := a.relyingParty(ctx, c.Connection)
		if err != nil {
			return writeback.Enrollment{}, err
		}
		defer conn.Close()
		return usageIf(eng.Revoke(ctx, job, c.UserID, []string{c.Mapping}))
	}
	return writeback.Enrollment{}, fmt.Errorf("certificate %d: %w (or already revoked)", id, store.ErrNotFound)
}

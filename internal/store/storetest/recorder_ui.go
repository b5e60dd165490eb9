package storetest

import (
	"context"

	"github.com/usersync/usersync/internal/store"
)

// The recorder's methods for administrators' roles and the audit log.

func (r *recorder) ListAdmins(ctx context.Context) ([]store.Admin, error) {
	r.hit("ListAdmins")
	return r.Store.ListAdmins(ctx)
}

func (r *recorder) UpdateAdmin(ctx context.Context, a1, a2 string, a3 bool) error {
	r.hit("UpdateAdmin")
	return r.Store.UpdateAdmin(ctx, a1, a2, a3)
}

func (r *recorder) AppendAudit(ctx context.Context, a1 store.AuditEvent) error {
	r.hit("AppendAudit")
	return r.Store.AppendAudit(ctx, a1)
}

func (r *recorder) ListAudit(ctx context.Context, a1 store.AuditFilter) ([]store.AuditEvent, int, error) {
	r.hit("ListAudit")
	return r.Store.ListAudit(ctx, a1)
}

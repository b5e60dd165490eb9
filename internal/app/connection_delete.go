package app

import (
	"context"
)

// DeleteConnection removes a connection while holding its run lease, so
// that a connection is never deleted under a run of it, whether this
// process or another instance sharing the store runs it: a running
// connection is refused with a *store.LeaseHeldError naming the holder.
// The connection's users stay, so that removing a connection by mistake
// loses nothing.
func (a *App) DeleteConnection(ctx context.Context, name string) (err error) {
	defer func() { a.auditIf(ctx, err, AuditConnectionDelete, "connection "+name, "") }()
	return a.WithLease(ctx, name, func(ctx context.Context) error {
		return a.Store.DeleteConnection(ctx, name)
	})
}

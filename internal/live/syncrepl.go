package live

import (
	"context"
	"strings"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/directory/ldap"
	"github.com/usersync/usersync/internal/reconcile"
)

// syncrepl follows an OpenLDAP directory with refreshAndPersist, resuming
// from the saved cookie. Without one, the refresh phase delivers every entry
// once; the hash check makes that cheap for unchanged users.
//
// The cookie is saved in the change-token form that scheduled runs use
// (reconcile.WrapToken), so a run continues from where live mode stopped and
// live mode from where a run stopped, as long as the connection's scope
// (search, mappings, group rules and entities) is the same.
func (f *Follower) syncrepl(ctx context.Context, d *app.Directory) error {
	saved, err := f.App.Store.ChangeToken(ctx, d.Conn.Name)
	if err != nil {
		return err
	}
	if d.Job.Groups != nil {
		// The token's scope includes the group rules' fingerprint.
		if err := d.Job.Groups.Prepare(ctx); err != nil {
			return err
		}
	}
	var cookie []byte
	if tok, ok := reconcile.UnwrapToken(d.Job, saved); ok {
		cookie = []byte(tok)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events := make(chan ldap.SyncEvent, 256)
	errc := make(chan error, 1)
	q := directory.Query{BaseDN: d.Conn.SearchPath, Filter: d.Conn.SearchFilter, Attributes: reconcile.Attributes(d.Job)}
	go func() {
		errc <- d.LDAP.Syncrepl(ctx, q, cookie, func(ev ldap.SyncEvent) error {
			select {
			case events <- ev:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	byUUID := strings.EqualFold(d.Job.LinkingKey, "entryUUID")
	var b batch
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	armed := false
	arm := func(after time.Duration) {
		if !armed {
			timer.Reset(after)
			armed = true
		}
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-errc:
			if ferr := f.flush(context.WithoutCancel(ctx), d, &b); ferr != nil {
				f.log().Error("live mode: applying the last changes failed", "connection", d.Conn.Name, "err", ferr)
			}
			return err
		case ev := <-events:
			if ev.Entry != nil {
				key := ev.Entry.Get(d.Job.LinkingKey)
				if key == "" {
					key = "dn:" + ev.Entry.DN // the planner records it as skipped
				}
				b.upsert(key, ev.Entry)
			}
			for _, u := range ev.Deleted {
				if byUUID {
					b.remove(u)
				} else {
					f.log().Warn("live mode: a delete arrived as an entryUUID but the linking key is not entryUUID; the next full run deactivates the user",
						"connection", d.Conn.Name, "entryUUID", u)
				}
			}
			if ev.Cookie != nil {
				t := reconcile.WrapToken(d.Job, string(ev.Cookie))
				b.token = &t
			}
			if b.size() >= MaxBatch {
				if err := f.flush(ctx, d, &b); err != nil {
					return err
				}
				continue
			}
			arm(FlushAfter)
		case <-timer.C:
			armed = false
			if err := f.flush(ctx, d, &b); err != nil {
				return err
			}
			if b.size() > 0 {
				arm(500 * time.Millisecond) // the lease was busy: try again soon
			}
		}
	}
}

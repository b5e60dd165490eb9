package live

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/reconcile"
)

// pollAD follows an Active Directory domain controller by asking every
// PollEvery for the entries whose uSNChanged passed the last
// highestCommittedUSN seen. Deletions are not visible this way (they need
// the Show Deleted control or DirSync); the scheduled full runs find them.
// The watermark is kept in memory only: a restart begins at the DC's
// current USN, and the schedule's full reconciliation covers the gap. It
// stays out of the connection's change token, which the incremental reader
// owns.
func (f *Follower) pollAD(ctx context.Context, d *app.Directory) error {
	last, err := d.LDAP.HighestCommittedUSN(ctx)
	if err != nil {
		return err
	}
	t := time.NewTicker(PollEvery)
	defer t.Stop()
	attrs := append(reconcile.Attributes(d.Job), "uSNChanged")
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		high, err := d.LDAP.HighestCommittedUSN(ctx)
		if err != nil {
			return err
		}
		if high <= last {
			continue
		}
		var b batch
		b.touch()
		q := directory.Query{BaseDN: d.Conn.SearchPath, Filter: usnFilter(d.Conn.SearchFilter, last+1), Attributes: attrs, PageSize: d.Conn.PageSize}
		err = d.LDAP.Search(ctx, q, func(e *directory.Entry) error {
			key := e.Get(d.Job.LinkingKey)
			if key == "" {
				key = "dn:" + e.DN
			}
			b.upsert(key, e)
			return nil
		})
		if err != nil {
			return err
		}
		if b.size() == 0 {
			last = high
			continue
		}
		if err := f.flush(ctx, d, &b); err != nil {
			return err
		}
		if b.size() == 0 { // applied; a busy lease leaves it for the next poll
			last = high
		}
	}
}

// usnFilter ANDs the connection's filter with (uSNChanged>=from). from is a
// number usersync computed, so nothing needs escaping.
func usnFilter(filter string, from int64) string {
	f := strings.TrimSpace(filter)
	if !strings.HasPrefix(f, "(") {
		f = "(" + f + ")"
	}
	return fmt.Sprintf("(&%s(uSNChanged>=%d))", f, from)
}

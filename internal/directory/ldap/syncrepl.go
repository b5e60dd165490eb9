package ldap

import (
	"context"
	"errors"
	"fmt"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/directory"
)

// SyncEvent is one message of a syncrepl (RFC 4533) stream.
type SyncEvent struct {
	// Entry is an added or modified entry (nil otherwise).
	Entry *directory.Entry
	// Deleted lists the entryUUIDs of entries deleted or moved out of scope.
	Deleted []string
	// Cookie, when not nil, is the state to resume from once this event
	// has been applied.
	Cookie []byte
	// RefreshDone says the refresh phase ended: what follows is live.
	RefreshDone bool
}

// Syncrepl runs an OpenLDAP content synchronization in refreshAndPersist
// mode from cookie (nil: from scratch, every entry arrives as an add) and
// calls fn for each event until ctx ends, fn fails or the server ends the
// search. It never returns nil: a persist search that ends is an error to
// reconnect after.
func (c *Conn) Syncrepl(ctx context.Context, q directory.Query, cookie []byte, fn func(SyncEvent) error) error {
	// The persist phase is one request that lasts for hours: the
	// per-request time-out that guards every other request must not apply.
	c.conn.SetTimeout(0)
	req := ldapv3.NewSearchRequest(q.BaseDN, ldapv3.ScopeWholeSubtree, ldapv3.NeverDerefAliases,
		0, 0, false, q.Filter, q.Attributes, nil)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := c.conn.Syncrepl(ctx, req, 64, ldapv3.SyncRequestModeRefreshAndPersist, cookie, false)
	for r.Next() {
		ev, err := syncEvent(r.Entry(), r.Controls())
		if err != nil {
			return err
		}
		if ev.Entry == nil && ev.Deleted == nil && ev.Cookie == nil && !ev.RefreshDone {
			continue
		}
		if err := fn(ev); err != nil {
			return err
		}
	}
	if err := r.Err(); err != nil {
		return fmt.Errorf("ldap: syncrepl %q: %w", q.BaseDN, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return errors.New("ldap: syncrepl: the server ended the persistent search")
}

func syncEvent(e *ldapv3.Entry, controls []ldapv3.Control) (SyncEvent, error) {
	var ev SyncEvent
	for _, ctl := range controls {
		switch c := ctl.(type) {
		case *ldapv3.ControlSyncState:
			if len(c.Cookie) > 0 {
				ev.Cookie = c.Cookie
			}
			if e == nil {
				continue
			}
			if c.State == ldapv3.SyncStateDelete {
				ev.Deleted = append(ev.Deleted, c.EntryUUID.String())
				continue
			}
			ev.Entry = convertEntry(e)
			// The linking key of OpenLDAP is entryUUID; the Sync State
			// control always carries it, even when the entry's attributes
			// do not.
			if ev.Entry.Get("entryUUID") == "" {
				ev.Entry.Attrs["entryuuid"] = []string{c.EntryUUID.String()}
			}
		case *ldapv3.ControlSyncInfo:
			switch {
			case c.NewCookie != nil:
				ev.Cookie = c.NewCookie.Cookie
			case c.RefreshDelete != nil:
				ev.Cookie, ev.RefreshDone = c.RefreshDelete.Cookie, c.RefreshDelete.RefreshDone
			case c.RefreshPresent != nil:
				ev.Cookie, ev.RefreshDone = c.RefreshPresent.Cookie, c.RefreshPresent.RefreshDone
			case c.SyncIdSet != nil:
				ev.Cookie = c.SyncIdSet.Cookie
				if c.SyncIdSet.RefreshDeletes {
					for _, u := range c.SyncIdSet.SyncUUIDs {
						ev.Deleted = append(ev.Deleted, u.String())
					}
				}
			}
		case *ldapv3.ControlSyncDone:
			if len(c.Cookie) > 0 {
				ev.Cookie = c.Cookie
			}
		}
	}
	if ev.Cookie != nil && len(ev.Cookie) == 0 {
		ev.Cookie = nil
	}
	return ev, nil
}

// HighestCommittedUSN reads an Active Directory domain controller's
// highestCommittedUSN from its root DSE: every change after this point has
// a larger uSNChanged.
func (c *Conn) HighestCommittedUSN(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	req := ldapv3.NewSearchRequest("", ldapv3.ScopeBaseObject, ldapv3.NeverDerefAliases, 1, 0, false, "(objectClass=*)",
		[]string{"highestCommittedUSN"}, nil)
	res, err := c.conn.Search(req)
	if err != nil {
		return 0, classifySearch("(root DSE)", err)
	}
	if len(res.Entries) == 0 {
		return 0, errors.New("ldap: the root DSE has no highestCommittedUSN")
	}
	var usn int64
	if _, err := fmt.Sscan(res.Entries[0].GetAttributeValue("highestCommittedUSN"), &usn); err != nil {
		return 0, fmt.Errorf("ldap: highestCommittedUSN: %w", err)
	}
	return usn, nil
}

package ldap

import (
	"context"
	"errors"
	"fmt"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/directory"
)

// OpenLDAP's incremental reads use syncrepl in refreshOnly mode (RFC 4533):
// a cookie names the directory's state, and a refresh from a cookie that the
// syncprov overlay's session log covers returns only the changed entries and
// the entryUUIDs of those deleted or moved out of the search's scope.

// matchNothing is a filter no entry satisfies: a refresh with it returns no
// entries, only a cookie for the directory's state now.
const matchNothing = "(&(objectClass=*)(!(objectClass=*)))"

// resultSyncRefreshRequired is RFC 4533's e-syncRefreshRequired: the server
// no longer accepts the cookie.
const resultSyncRefreshRequired = 4096

// refreshToken asks the server for a syncrepl cookie describing its state
// now, with a refreshOnly search under base that matches nothing.
func (c *Conn) refreshToken(ctx context.Context, q directory.Query) (string, error) {
	q.Filter = matchNothing
	q.Attributes = []string{"1.1"}
	var cookie string
	err := c.refresh(ctx, q, "", func(directory.Change) error { return nil }, &cookie)
	if err != nil {
		return "", err
	}
	if cookie == "" {
		return "", fmt.Errorf("ldap: the server returned no syncrepl cookie for %q (is the syncprov overlay loaded?)", q.BaseDN)
	}
	return cookie, nil
}

// refresh runs a refreshOnly search from cookie and reports each change.
// Only a SearchResultDone carrying the Sync Done control ends a complete
// read: go-ldap closes the stream silently on a cancelled context, so the
// end is checked here, not assumed. A cookie the session log no longer
// covers makes the server enumerate every entry (the present phase): that is
// ErrTokenExpired, since the deletions cannot be told from it.
func (c *Conn) refresh(ctx context.Context, q directory.Query, cookie string, fn func(directory.Change) error, next *string) error {
	req := ldapv3.NewSearchRequest(q.BaseDN, ldapv3.ScopeWholeSubtree, ldapv3.NeverDerefAliases,
		0, 0, false, q.Filter, q.Attributes, nil)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var raw []byte
	if cookie != "" {
		raw = []byte(cookie)
	}
	resp := c.conn.Syncrepl(ctx, req, 64, ldapv3.SyncRequestModeRefreshOnly, raw, false)
	done := false
	expired := func() error {
		return fmt.Errorf("ldap: syncrepl under %q: %w: the server's session log no longer covers the cookie", q.BaseDN, directory.ErrTokenExpired)
	}
	deleted := func(id string) error {
		return fn(directory.Change{Kind: directory.Deleted, Entry: &directory.Entry{Attrs: map[string][]string{"entryuuid": {id}}}})
	}
	for resp.Next() {
		if e := resp.Entry(); e != nil {
			state := syncState(resp.Controls())
			switch {
			case state == nil:
				return syncProtocolError(q, "an entry without a Sync State control")
			case state.State == ldapv3.SyncStateDelete:
				if err := deleted(state.EntryUUID.String()); err != nil {
					return err
				}
			case state.State == ldapv3.SyncStatePresent:
				if cookie != "" {
					return expired()
				}
			default:
				if err := fn(directory.Change{Kind: directory.Changed, Entry: convertEntry(e)}); err != nil {
					return err
				}
			}
			continue
		}
		for _, ctl := range resp.Controls() {
			switch ctl := ctl.(type) {
			case *ldapv3.ControlSyncInfo:
				switch {
				case ctl.SyncIdSet != nil:
					if !ctl.SyncIdSet.RefreshDeletes && cookie != "" {
						return expired()
					}
					if ctl.SyncIdSet.RefreshDeletes {
						for _, id := range ctl.SyncIdSet.SyncUUIDs {
							if err := deleted(id.String()); err != nil {
								return err
							}
						}
					}
					setCookie(next, ctl.SyncIdSet.Cookie)
				case ctl.RefreshPresent != nil:
					if cookie != "" {
						return expired()
					}
					setCookie(next, ctl.RefreshPresent.Cookie)
				case ctl.RefreshDelete != nil:
					setCookie(next, ctl.RefreshDelete.Cookie)
				case ctl.NewCookie != nil:
					setCookie(next, ctl.NewCookie.Cookie)
				}
			case *ldapv3.ControlSyncDone:
				done = true
				setCookie(next, ctl.Cookie)
				if !ctl.RefreshDeletes && cookie != "" {
					return expired()
				}
			}
		}
	}
	if err := resp.Err(); err != nil {
		var le *ldapv3.Error
		if errors.As(err, &le) && le.ResultCode == resultSyncRefreshRequired {
			return expired()
		}
		return classifySearch(q.BaseDN, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("ldap: syncrepl under %q: %w", q.BaseDN, err)
	}
	if !done {
		return syncProtocolError(q, "the refresh ended without a Sync Done control")
	}
	return nil
}

func setCookie(next *string, c []byte) {
	if next != nil && len(c) > 0 {
		*next = string(c)
	}
}

func syncState(ctls []ldapv3.Control) *ldapv3.ControlSyncState {
	for _, c := range ctls {
		if s, ok := c.(*ldapv3.ControlSyncState); ok {
			return s
		}
	}
	return nil
}

func syncProtocolError(q directory.Query, what string) error {
	return &Problem{Kind: KindDirectory, Msg: fmt.Sprintf("syncrepl under %q failed: %s; the read is incomplete", q.BaseDN, what)}
}

package ldap

import (
	"context"
	"errors"
	"fmt"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/directory"
)

var _ directory.ChangeReader = (*Conn)(nil)

// matchNothing is a filter no entry satisfies: a refresh with it returns no
// entries, only a cookie for the directory's state now.
const matchNothing = "(&(objectClass=*)(!(objectClass=*)))"

// resultSyncRefreshRequired is RFC 4533's e-syncRefreshRequired: the server
// no longer accepts the cookie.
const resultSyncRefreshRequired = 4096

// Token asks the server for a syncrepl cookie describing its state now,
// with a refreshOnly search that matches nothing (RFC 4533).
func (c *Conn) Token(ctx context.Context, q directory.Query) (string, error) {
	q.Filter = matchNothing
	res, err := c.Changes(ctx, q, "", directory.ChangeHandler{
		Entry:   func(*directory.Entry) error { return nil },
		Deleted: func(string) error { return nil },
		Present: func(string) error { return nil },
	})
	if err != nil {
		return "", err
	}
	if res.Token == "" {
		return "", fmt.Errorf("ldap: the server returned no syncrepl cookie for %q", q.BaseDN)
	}
	return res.Token, nil
}

// Changes runs a syncrepl refreshOnly search (RFC 4533) from token. OpenLDAP
// answers a cookie its session log covers with the changed entries and the
// entryUUIDs of deleted ones (a syncIdSet with refreshDeletes); for an older
// cookie it enumerates every entry instead, which ChangeResult.Complete
// reports. Only a SearchResultDone carrying the Sync Done control ends a
// complete read: go-ldap closes the stream silently on a cancelled context,
// so the end is checked here, not assumed.
func (c *Conn) Changes(ctx context.Context, q directory.Query, token string, h directory.ChangeHandler) (directory.ChangeResult, error) {
	var out directory.ChangeResult
	if c.broken != nil {
		return out, classifySearch(q.BaseDN, ldapv3.NewError(ldapv3.ErrorNetwork, c.broken))
	}
	req := ldapv3.NewSearchRequest(q.BaseDN, ldapv3.ScopeWholeSubtree, ldapv3.NeverDerefAliases,
		0, 0, false, q.Filter, q.Attributes, nil)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var cookie []byte
	if token != "" {
		cookie = []byte(token)
	}
	resp := c.conn.Syncrepl(ctx, req, 64, ldapv3.SyncRequestModeRefreshOnly, cookie, false)
	done := false
	presentPhase := false
	for resp.Next() {
		if e := resp.Entry(); e != nil {
			state := syncState(resp.Controls())
			switch {
			case state == nil:
				return out, syncProtocolError(q, "an entry without a Sync State control")
			case state.State == ldapv3.SyncStateDelete:
				if err := h.Deleted(state.EntryUUID.String()); err != nil {
					return out, err
				}
			case state.State == ldapv3.SyncStatePresent:
				presentPhase = true
				if err := h.Present(state.EntryUUID.String()); err != nil {
					return out, err
				}
			default:
				if err := h.Entry(convertEntry(e)); err != nil {
					return out, err
				}
			}
			continue
		}
		for _, ctl := range resp.Controls() {
			switch ctl := ctl.(type) {
			case *ldapv3.ControlSyncInfo:
				if err := handleSyncInfo(ctl, h, &presentPhase, &out); err != nil {
					return out, err
				}
			case *ldapv3.ControlSyncDone:
				done = true
				if len(ctl.Cookie) > 0 {
					out.Token = string(ctl.Cookie)
				}
				if !ctl.RefreshDeletes {
					presentPhase = true
				}
			}
		}
	}
	if err := resp.Err(); err != nil {
		var le *ldapv3.Error
		if errors.As(err, &le) && le.ResultCode == resultSyncRefreshRequired {
			return out, fmt.Errorf("ldap: syncrepl under %q: %w", q.BaseDN, directory.ErrTokenExpired)
		}
		return out, classifySearch(q.BaseDN, err)
	}
	if err := ctx.Err(); err != nil {
		return out, fmt.Errorf("ldap: syncrepl under %q: %w", q.BaseDN, err)
	}
	if !done {
		return out, syncProtocolError(q, "the refresh ended without a Sync Done control")
	}
	out.Complete = presentPhase
	return out, nil
}

// handleSyncInfo applies an intermediate Sync Info message: deleted or
// present ids, a new cookie, or the start of a present phase.
func handleSyncInfo(ctl *ldapv3.ControlSyncInfo, h directory.ChangeHandler, presentPhase *bool, out *directory.ChangeResult) error {
	switch {
	case ctl.SyncIdSet != nil:
		report := h.Present
		if ctl.SyncIdSet.RefreshDeletes {
			report = h.Deleted
		} else {
			*presentPhase = true
		}
		for _, id := range ctl.SyncIdSet.SyncUUIDs {
			if err := report(id.String()); err != nil {
				return err
			}
		}
		if len(ctl.SyncIdSet.Cookie) > 0 {
			out.Token = string(ctl.SyncIdSet.Cookie)
		}
	case ctl.RefreshPresent != nil:
		*presentPhase = true
		if len(ctl.RefreshPresent.Cookie) > 0 {
			out.Token = string(ctl.RefreshPresent.Cookie)
		}
	case ctl.RefreshDelete != nil:
		if len(ctl.RefreshDelete.Cookie) > 0 {
			out.Token = string(ctl.RefreshDelete.Cookie)
		}
	case ctl.NewCookie != nil:
		out.Token = string(ctl.NewCookie.Cookie)
	}
	return nil
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

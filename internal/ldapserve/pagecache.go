package ldapserve

import (
	"context"
	"sync"
	"time"

	"github.com/jimlambrt/gldap"

	"github.com/usersync/usersync/internal/store"
)

// A paged search is worked out once, on its first page: the later pages are
// read from a snapshot of which entries matched, so that reading a view of
// N users in pages costs one scan rather than one per page. The snapshot
// keeps only row ids for users (eight bytes each) and reads each page's
// users again, so a page shows their fields as they are now (their
// memberships as they were on the first page); a user deleted in between
// is left out of its page.

// Bounds of the page cache.
const (
	pageCacheTTL = 5 * time.Minute
	maxPagedRuns = 16
)

// pageItem is one matching entry of a paged search: a user by row id, or
// any other entry (the view's own, an OU, a group) as it was.
type pageItem struct {
	row      int64
	view     *store.LDAPView
	memberOf []string
	e        *entry
}

type pagedRun struct {
	items   []pageItem
	expires time.Time
}

// pageCache holds the snapshots of paged searches in progress.
type pageCache struct {
	mu   sync.Mutex
	runs map[string]*pagedRun
}

// pageKey names a paged search: who asks, and what.
func pageKey(sess *session, m *gldap.SearchMessage) string {
	return sess.view + "\x00" + sess.account + "\x00" + requestTag(m)
}

func snapshot(all []*entry) []pageItem {
	items := make([]pageItem, len(all))
	for i, e := range all {
		if e.row != 0 {
			items[i] = pageItem{row: e.row, view: e.view, memberOf: e.get("memberOf")}
		} else {
			items[i] = pageItem{e: e}
		}
	}
	return items
}

func (c *pageCache) get(key string) []pageItem {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.runs[key]
	if r == nil || time.Now().After(r.expires) {
		delete(c.runs, key)
		return nil
	}
	r.expires = time.Now().Add(pageCacheTTL)
	return r.items
}

func (c *pageCache) put(key string, items []pageItem) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.runs == nil {
		c.runs = map[string]*pagedRun{}
	}
	now := time.Now()
	for k, r := range c.runs {
		if now.After(r.expires) {
			delete(c.runs, k)
		}
	}
	for len(c.runs) >= maxPagedRuns {
		oldest := ""
		for k, r := range c.runs {
			if oldest == "" || r.expires.Before(c.runs[oldest].expires) {
				oldest = k
			}
		}
		delete(c.runs, oldest)
	}
	c.runs[key] = &pagedRun{items: items, expires: now.Add(pageCacheTTL)}
}

func (c *pageCache) drop(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.runs, key)
}

// pageFromCache answers a later page of a paged search from its snapshot.
func (s *Server) pageFromCache(ctx context.Context, key string, items []pageItem, m *gldap.SearchMessage, paging *gldap.ControlPaging) result {
	start, end, res, ok := s.window(len(items), m, paging)
	if !ok {
		if res.paging != nil && res.code == gldap.ResultSuccess {
			s.pages.drop(key) // abandoned
		}
		return res
	}
	page := items[start:end]
	var rows []int64
	for _, it := range page {
		if it.row != 0 {
			rows = append(rows, it.row)
		}
	}
	users, err := s.cfg.Store.GetUsers(ctx, rows)
	if err != nil {
		return result{code: gldap.ResultOther, diag: "the store could not be read"}
	}
	byID := make(map[int64]store.User, len(users))
	for _, u := range users {
		byID[u.ID] = u
	}
	for _, it := range page {
		if it.row == 0 {
			res.entries = append(res.entries, it.e)
			continue
		}
		u, ok := byID[it.row]
		if !ok {
			continue
		}
		res.entries = append(res.entries, userEntry(*it.view, u, it.memberOf))
	}
	if len(res.paging.Cookie) == 0 {
		s.pages.drop(key)
	}
	return res
}

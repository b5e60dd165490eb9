package reconcile

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/store"
)

// source is where a run's entries come from and what it concludes at the
// end of a complete read.
type source struct {
	incremental bool
	read        func(ctx context.Context, emit func(*directory.Entry) error) error
	finish      func(ctx context.Context, p *planner) error
	// token is saved with the run's last batch, in the same transaction as
	// its last changes (DESIGN.md invariant 3); "" saves nothing.
	token string
}

// changeReader returns the directory's incremental capability when this
// job can use it: OpenLDAP syncrepl reports deletions by entryUUID only, so
// the connection must link users by entryUUID.
func changeReader(j Job) directory.ChangeReader {
	cr, ok := j.Dir.(directory.ChangeReader)
	if !ok || j.Flavor != directory.FlavorOpenLDAP || !strings.EqualFold(j.LinkingKey, "entryUUID") {
		return nil
	}
	return cr
}

// chooseSource reads only the changes when the job asks for it and a token
// saved for the same search and mappings exists, and the whole directory
// otherwise.
func (e *Engine) chooseSource(ctx context.Context, j Job, rep *Report) (source, error) {
	cr := changeReader(j)
	if cr == nil || !j.Incremental || j.Full {
		return e.fullSource(ctx, j), nil
	}
	saved, err := e.Store.ChangeToken(ctx, j.Conn.Name)
	if err != nil {
		return source{}, err
	}
	cookie, ok := parseToken(j, saved)
	if !ok {
		if saved != "" {
			rep.Warnings = append(rep.Warnings, "the search, the linking key or the mappings changed since the saved change token; this run read the whole directory")
		}
		return e.fullSource(ctx, j), nil
	}
	rep.Mode = store.ModeIncremental
	return changesSource(j, cr, cookie), nil
}

// A saved token binds the server's cookie to what was read: the search base,
// filter, attributes, linking key and the mapping fingerprint. Changes since
// a cookie say nothing about users a different filter selects, or about
// fields a different mapping fills, so a token saved for another search is
// never used: the run reads everything instead.
func bindToken(j Job, cookie string) string {
	return "syncrepl:" + queryKey(j) + ":" + cookie
}

func parseToken(j Job, saved string) (cookie string, ok bool) {
	prefix := "syncrepl:" + queryKey(j) + ":"
	if !strings.HasPrefix(saved, prefix) || len(saved) == len(prefix) {
		return "", false
	}
	return saved[len(prefix):], true
}

func queryKey(j Job) string {
	q := query(j)
	h := fnv.New64a()
	for _, part := range append([]string{q.BaseDN, q.Filter, strings.ToLower(j.LinkingKey), j.Mapper.Fingerprint()}, q.Attributes...) {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return fmt.Sprintf("%016x", h.Sum64())
}

// fullSource reads every entry. When the directory can report changes, it
// first takes a token for its state now, so that the next run reads only
// what changed from here: a change made during this read is then read
// twice, which is harmless, and never missed.
func (e *Engine) fullSource(ctx context.Context, j Job) source {
	src := source{
		read: func(ctx context.Context, emit func(*directory.Entry) error) error {
			return j.Dir.Search(ctx, query(j), emit)
		},
		finish: func(ctx context.Context, p *planner) error { return p.finish(ctx) },
	}
	if cr := changeReader(j); cr != nil && !j.DryRun {
		cookie, err := cr.Token(ctx, query(j))
		if err != nil {
			e.logger().Warn("no change token: the next run will read the whole directory again", "connection", j.Conn.Name, "error", err)
		} else {
			src.token = bindToken(j, cookie)
		}
	}
	return src
}

// changesSource reads what changed since token.
func changesSource(j Job, cr directory.ChangeReader, token string) source {
	var deleted, present []string
	var res directory.ChangeResult
	src := source{incremental: true}
	src.read = func(ctx context.Context, emit func(*directory.Entry) error) error {
		var err error
		res, err = cr.Changes(ctx, query(j), token, directory.ChangeHandler{
			Entry:   emit,
			Deleted: func(id string) error { deleted = append(deleted, id); return nil },
			Present: func(id string) error { present = append(present, id); return nil },
		})
		return err
	}
	src.finish = func(ctx context.Context, p *planner) error {
		if res.Token != "" && res.Token != token && !j.DryRun {
			next := bindToken(j, res.Token)
			p.token = &next
		}
		return p.finishChanges(ctx, deleted, present, res.Complete)
	}
	return src
}

// finishChanges concludes a complete incremental read. When the server
// enumerated everything (complete), the full read's rules apply: whoever was
// neither sent nor reported present is gone. Otherwise exactly the deleted
// ids are gone. Either way the deletion guard has the last word.
func (p *planner) finishChanges(ctx context.Context, deleted, present []string, complete bool) error {
	// A present id is an entry the server reports unchanged since the
	// token: read, and unchanged, as in a full read.
	for _, id := range present {
		if r := p.ix.lookup(id); r != nil && !r.seen {
			r.seen = true
			p.rep.EntriesRead++
			p.rep.Unchanged++
		}
	}
	if complete {
		return p.finish(ctx)
	}
	if err := p.resolve(ctx); err != nil {
		return err
	}
	var gone []*ref
	var goneExt []string
	for _, id := range deleted {
		if r := p.ix.lookup(id); r != nil && r.active && !r.seen {
			r.seen = true // listed twice, deactivated once
			gone = append(gone, r)
			goneExt = append(goneExt, id)
		}
	}
	return p.deactivate(ctx, gone, goneExt)
}

package app

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/scim"
	"github.com/usersync/usersync/internal/store"
)

// Group commit. The writes of one connection are serialized (a PATCH reads
// and writes its resource with no other write between), and each used to
// take the connection's lease and run an engine run of its own: several
// commits per request. Instead, writes that arrive while a batch is being
// applied queue, and the next batch takes them together: one lease, each
// request's resource written in order, then one engine apply (one plan,
// one transaction, one run update) for all of them. Each request still
// gets its own answer: a request whose own change fails (a bad PATCH, a
// taken userName, a userId the engine refuses) is answered alone and its
// resource put back, and the others stand.
//
// Two writes of one resource never share a batch (the second waits for the
// next), so that putting one back cannot undo the other. Deactivations
// and DELETEs are applied one at a time, as before, because the deletion
// guard counts and holds them one by one (without a guard, deactivations
// share batches too).

type scimOp int

const (
	opCreate scimOp = iota
	opUpdate
	opDelete
)

// scimWrite is one request's write waiting for its batch.
type scimWrite struct {
	ctx    context.Context
	op     scimOp
	kind   string
	id     string
	res    scim.Resource                              // a create's resource
	change func(scim.Resource) (scim.Resource, error) // an update's change
	done   chan struct{}

	// Set while the batch runs.
	old, next scim.Resource
	rec       store.SCIMResource
	staged    bool
	err       error
}

// tag is what the run outcomes of this write carry to name its request.
func (w *scimWrite) tag() string {
	id := scim.RequestID(w.ctx)
	if id == "" {
		id = newSCIMID()
		w.ctx = scim.WithRequestID(w.ctx, id)
	}
	return "SCIM request " + id
}

// deactivates reports whether a staged User write makes it inactive.
func (w *scimWrite) deactivates() bool {
	if w.kind != scim.KindUser {
		return false
	}
	a, ok := w.next["active"].(bool)
	return ok && !a
}

// scimQueue is one connection's queue of writes.
type scimQueue struct {
	mu      sync.Mutex
	waiting []*scimWrite
	running bool
}

// Stats returns how many batches this backend committed and how many
// writes they held.
func (b *SCIMBackend) Stats() (batches, writes int64) {
	return b.batches.Load(), b.writes.Load()
}

// submit queues a write and waits for its answer. The first writer of an
// idle connection becomes its committer: it applies batches until the
// queue is empty, its own write in the first.
func (b *SCIMBackend) submit(ctx context.Context, conn string, w *scimWrite) error {
	w.ctx, w.done = ctx, make(chan struct{})
	w.tag()
	q, _ := b.queues.LoadOrStore(conn, &scimQueue{})
	sq := q.(*scimQueue)
	sq.mu.Lock()
	sq.waiting = append(sq.waiting, w)
	if sq.running {
		sq.mu.Unlock()
		select {
		case <-w.done:
			return w.err
		case <-ctx.Done():
			// The batch still applies the write; the client is gone.
			return ctx.Err()
		}
	}
	sq.running = true
	defer func() {
		if r := recover(); r != nil {
			// The batch's writes were answered (commit closes them); the
			// next writer becomes the committer of those still waiting.
			sq.mu.Lock()
			sq.running = false
			sq.mu.Unlock()
			panic(r)
		}
	}()
	for {
		batch := sq.waiting
		sq.waiting = nil
		sq.mu.Unlock()
		b.batches.Add(1)
		b.writes.Add(int64(len(batch)))
		b.commit(context.WithoutCancel(ctx), conn, batch)
		sq.mu.Lock()
		if len(sq.waiting) == 0 {
			sq.running = false
			sq.mu.Unlock()
			break
		}
	}
	<-w.done
	return w.err
}

// commit applies one batch under the connection's lease and answers every
// write of it.
func (b *SCIMBackend) commit(ctx context.Context, conn string, batch []*scimWrite) {
	defer func() {
		for _, w := range batch {
			close(w.done)
		}
	}()
	c, err := b.a.scimConnection(ctx, conn)
	if err != nil {
		for _, w := range batch {
			w.err = scimUsage(err)
		}
		return
	}
	err = b.a.WithLease(ctx, conn, func(ctx context.Context) error {
		var pending []*scimWrite
		ids := map[string]bool{}
		for _, w := range batch {
			key := w.kind + "/" + w.id
			if w.op != opCreate && ids[key] {
				b.applyBatch(ctx, c, pending)
				pending, ids = nil, map[string]bool{}
			}
			wctx := scim.WithRequestID(ctx, scim.RequestID(w.ctx))
			if w.op == opDelete {
				b.applyBatch(ctx, c, pending)
				pending, ids = nil, map[string]bool{}
				w.err = b.deleteOne(wctx, c, w.kind, w.id)
				continue
			}
			if w.err = b.stage(wctx, conn, w); w.err != nil {
				continue
			}
			ids[w.kind+"/"+w.id] = true
			if w.deactivates() && !c.DeletionGuard.Disabled {
				b.applyBatch(ctx, c, pending)
				pending, ids = nil, map[string]bool{}
				b.applyOne(wctx, c, w)
				continue
			}
			pending = append(pending, w)
		}
		b.applyBatch(ctx, c, pending)
		return nil
	})
	var held *store.LeaseHeldError
	if errors.As(err, &held) {
		err = &scim.Error{Status: http.StatusTooManyRequests, Detail: "another run of this connection is in progress; retry shortly",
			RetryAfter: leaseRetryAfter, Err: err}
	}
	if err != nil {
		for _, w := range batch {
			if w.err == nil {
				w.err = err
			}
		}
	}
}

// stage writes one request's resource: a create's new one, or an update's
// next state computed from the stored one.
func (b *SCIMBackend) stage(ctx context.Context, conn string, w *scimWrite) error {
	var err error
	if w.op == opCreate {
		w.id, w.next = newSCIMID(), w.res
		if w.rec, err = b.put(ctx, conn, w.kind, w.id, w.next, true); err != nil {
			return err
		}
		w.staged = true
		return nil
	}
	old, err := b.Get(ctx, conn, w.kind, w.id)
	if err != nil {
		return err
	}
	w.old = old.Resource
	if w.next, err = w.change(old.Resource); err != nil {
		return err
	}
	if w.rec, err = b.put(ctx, conn, w.kind, w.id, w.next, false); err != nil {
		return err
	}
	w.staged = true
	return nil
}

// unstage puts a refused write's resource back as it was: nothing of a
// refused write stays.
func (b *SCIMBackend) unstage(ctx context.Context, conn string, w *scimWrite) {
	if !w.staged {
		return
	}
	ctx = context.WithoutCancel(ctx)
	if w.op == opCreate {
		_ = b.a.Store.DeleteSCIMResource(ctx, conn, kindOf(w.kind), w.id)
		return
	}
	if _, err := b.put(ctx, conn, w.kind, w.id, w.old, false); err != nil {
		w.err = errors.Join(w.err, err)
	}
}

// applyOne applies a single staged write through the engine on its own.
func (b *SCIMBackend) applyOne(ctx context.Context, c connection.Connection, w *scimWrite) {
	err := b.apply(ctx, c, w.kind, w.id, w.old, w.next)
	if err == nil {
		return
	}
	w.err = err
	if errors.Is(err, reconcile.ErrGuardTipped) && w.op == opUpdate {
		// The client's soft delete stands, held for approval: the
		// resource says what the client asked, the user stays active
		// until an operator approves.
		return
	}
	b.unstage(ctx, c.Name, w)
}

// applyBatch applies staged writes that delete nobody (and deactivate
// nobody, unless the connection has no deletion guard) as one engine
// apply, and answers each with its own outcome.
func (b *SCIMBackend) applyBatch(ctx context.Context, c connection.Connection, ws []*scimWrite) {
	if len(ws) == 1 {
		b.applyOne(scim.WithRequestID(ctx, scim.RequestID(ws[0].ctx)), c, ws[0])
	}
	if len(ws) < 2 {
		return
	}
	latest := map[string]scim.Resource{}
	for _, w := range ws {
		if w.kind == scim.KindUser {
			latest[w.id] = w.next
		}
	}
	var ups []*directory.Entry
	owner := map[string]*scimWrite{} // user id → the write its outcome answers
	tags := map[string]string{}
	add := func(id string, r scim.Resource, w *scimWrite) {
		if _, ok := owner[id]; ok {
			return
		}
		owner[id], tags[id] = w, w.tag()
		ups = append(ups, userEntry(id, r))
	}
	groups := false
	for _, w := range ws {
		if w.kind == scim.KindUser {
			add(w.id, w.next, w)
			groups = groups || activeChanges(w.old, w.next)
		}
	}
	for _, w := range ws {
		if w.kind != scim.KindGroup || !c.GroupRulesOn() {
			continue
		}
		for _, id := range changedMembers(w.old, w.next) {
			groups = true
			if r, ok := latest[id]; ok {
				add(id, r, w)
				continue
			}
			if s, err := b.Get(ctx, c.Name, scim.KindUser, id); err == nil {
				add(id, s.Resource, w)
			}
			// A member that is not a User of this connection gives nothing.
		}
	}
	if len(ups) == 0 {
		return
	}
	fail := func(err error) {
		for _, w := range ws {
			w.err = err
			b.unstage(ctx, c.Name, w)
		}
	}
	j, err := b.scimJob(c, groups)
	if err != nil {
		fail(err)
		return
	}
	ch := reconcile.Changes{Upserts: ups, Trigger: store.TriggerSCIM, Named: true, Tags: tags}
	cont, err := b.recentRun(ctx, c.Name)
	if err != nil {
		fail(err)
		return
	}
	var before store.Counts
	if cont != nil {
		ch.Continue, before = cont, cont.Counts
	}
	rep, err := b.a.Engine.ApplyChanges(ctx, j, ch)
	if err != nil {
		fail(err)
		return
	}
	if rep.Failed+rep.Skipped == before.Failed+before.Skipped {
		return
	}
	byTag := map[string]*scimWrite{}
	for _, w := range ws {
		byTag[w.tag()] = w
	}
	for _, action := range []string{store.ActionFailed, store.ActionSkipped} {
		outs, err := b.a.Store.ListOutcomes(ctx, rep.ID, store.OutcomeQuery{Action: action})
		if err != nil {
			fail(err)
			return
		}
		for _, o := range outs {
			for _, t := range o.Warnings {
				w := byTag[t]
				if w == nil || w.err != nil {
					continue
				}
				if err := outcomeRefusal(o, action, rep.ID); err != nil {
					w.err = err
					b.unstage(ctx, c.Name, w)
				}
			}
		}
	}
}

// outcomeRefusal is the SCIM error of an outcome the engine failed or
// skipped, or nil when it refuses nothing: a userId another active user
// holds (or a local user's) is 409 uniqueness, a user created inactive or
// out of the scope is no error (as a disabled directory account is not
// provisioned), anything else 400 invalidValue with the run's reason.
func outcomeRefusal(o store.Outcome, action string, run int64) error {
	switch {
	case strings.Contains(o.Reason, "already held by"), strings.Contains(o.Reason, "a local user"):
		return &scim.Error{Status: http.StatusConflict, Type: scim.TypeUniqueness, Detail: o.Reason, Err: scim.ErrUniqueness}
	case action == store.ActionSkipped && !strings.Contains(o.Reason, "no value for userId"):
		return nil
	}
	return scim.BadRequest(scim.TypeInvalidValue, "%s (run %d)", o.Reason, run)
}

// hasTag reports whether an outcome names the request of tag.
func hasTag(o store.Outcome, tag string) bool { return slices.Contains(o.Warnings, tag) }

package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/grouprules"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/scim"
	"github.com/usersync/usersync/internal/store"
)

// guardRetryAfter is what a SCIM client is told to wait when the deletion
// guard holds its deactivations: an operator must decide first, and
// Entra's provisioning service retries failed changes in later cycles.
const guardRetryAfter = 10 * time.Minute

// leaseRetryAfter is the wait when another process is running the
// connection.
const leaseRetryAfter = 5 * time.Second

// scimUserDN and scimGroupDN name SCIM resources as directory entries,
// so that the group rules find a group's members by DN.
func scimUserDN(id string) string  { return "scimUser=" + id }
func scimGroupDN(id string) string { return "scimGroup=" + id }

// scimJob is the engine's job for one SCIM write: the connection's
// mappings (the SCIM baseline when it has none), the SCIM id as linking
// key, and the group rules over the connection's SCIM groups. Without
// groups the group phase is left out: a SCIM User's memberships come from
// the Groups, so a write that touches no Group's members (and makes nobody
// leave) changes none, unless the group status rule decides every user's
// status or the rules read an attribute of the user.
func (b *SCIMBackend) scimJob(c connection.Connection, groups bool) (reconcile.Job, error) {
	set := c.MappingSet()
	if set.Mappings == nil {
		set.Mappings = mapping.SCIM().Mappings
	}
	mapper, err := mapping.Compile(set)
	if err != nil {
		return reconcile.Job{}, fmt.Errorf("connection %q: %w", c.Name, err)
	}
	cache, _ := b.groups.LoadOrStore(c.Name, &groupCache{m: map[string]cachedGroup{}})
	dir := &scimGroups{st: b.a.Store, conn: c.Name, cache: cache.(*groupCache)}
	j := reconcile.Job{Conn: c, Dir: dir, Flavor: mapping.FlavorSCIM, Mapper: mapper, LinkingKey: "id", Trigger: store.TriggerSCIM}
	if c.GroupRulesOn() {
		phase := grouprules.NewPhase(b.a.Store, dir, c, mapping.FlavorSCIM)
		if groups || c.GroupStatusRule || len(phase.Attributes()) > 0 {
			j.Groups = phase
		}
	}
	return j, nil
}

func userEntry(id string, r scim.Resource) *directory.Entry {
	return &directory.Entry{DN: scimUserDN(id), Attrs: scim.Flatten(id, r)}
}

// apply feeds one write to the engine: a User is upserted; a Group's
// members whose membership changed are upserted again, so that the group
// rules give or take their memberships.
func (b *SCIMBackend) apply(ctx context.Context, c connection.Connection, kind, id string, old, next scim.Resource) error {
	if kind == scim.KindUser {
		return b.run(ctx, c, reconcile.Changes{Upserts: []*directory.Entry{userEntry(id, next)}, Trigger: store.TriggerSCIM, Named: true},
			activeChanges(old, next))
	}
	ids := changedMembers(old, next)
	return b.applyMembers(ctx, c, ids)
}

// remove applies a DELETE: the leave policy for a User; for a Group, its
// members lose what it gave them.
func (b *SCIMBackend) remove(ctx context.Context, c connection.Connection, kind, id string, old scim.Resource) error {
	if kind == scim.KindUser {
		return b.run(ctx, c, reconcile.Changes{Deletes: []string{id}, Trigger: store.TriggerSCIM, Named: true}, true)
	}
	if err := b.a.Store.DeleteSCIMResource(ctx, c.Name, store.SCIMGroup, id); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return b.applyMembers(ctx, c, members(old))
}

// applyMembers upserts the users with these ids again, when the
// connection has group rules.
func (b *SCIMBackend) applyMembers(ctx context.Context, c connection.Connection, ids []string) error {
	if !c.GroupRulesOn() || len(ids) == 0 {
		return nil
	}
	var ups []*directory.Entry
	for _, id := range dedupe(ids) {
		r, err := b.Get(ctx, c.Name, scim.KindUser, id)
		if err != nil {
			continue // a member that is not a User of this connection gives nothing
		}
		ups = append(ups, userEntry(id, r.Resource))
	}
	if len(ups) == 0 {
		return nil
	}
	return b.run(ctx, c, reconcile.Changes{Upserts: ups, Trigger: store.TriggerSCIM, Named: true}, true)
}

// activeChanges reports whether a User write deactivates or reactivates
// it: then its memberships are taken away or given back, and the group
// phase must run. Any other User write keeps the memberships its Groups
// give (an id is new on create, so no Group names a new User yet).
func activeChanges(old, next scim.Resource) bool {
	isActive := func(r scim.Resource) bool {
		a, ok := r["active"].(bool)
		return !ok || a
	}
	return !isActive(next) || (old != nil && !isActive(old))
}

func members(r scim.Resource) []string {
	list, _ := r["members"].([]any)
	var out []string
	for _, m := range list {
		if obj, ok := m.(map[string]any); ok {
			if v, ok := obj["value"].(string); ok {
				out = append(out, v)
			}
		}
	}
	return out
}

// changedMembers are the members added or removed, or every member when
// the group was renamed (the rules match groups by name).
func changedMembers(old, next scim.Resource) []string {
	before, after := members(old), members(next)
	on, _ := old["displayName"].(string)
	nn, _ := next["displayName"].(string)
	if on != nn {
		return dedupe(append(before, after...))
	}
	was := map[string]bool{}
	for _, m := range before {
		was[m] = true
	}
	is := map[string]bool{}
	var out []string
	for _, m := range after {
		is[m] = true
		if !was[m] {
			out = append(out, m)
		}
	}
	for _, m := range before {
		if !is[m] {
			out = append(out, m)
		}
	}
	return out
}

func dedupe(ids []string) []string {
	seen := map[string]bool{}
	out := ids[:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// run applies a batch of changes as one run (the caller holds the
// connection's lease) and turns its result into the SCIM answer: a write
// the engine refused (a failed mapping, a taken userId) is an error naming
// why, and a hold of the deletion guard tells the client to retry later.
func (b *SCIMBackend) run(ctx context.Context, c connection.Connection, ch reconcile.Changes, groups bool) error {
	c, forced, err := b.guard(ctx, c, ch)
	if err != nil {
		return err
	}
	j, err := b.scimJob(c, groups)
	if err != nil {
		return err
	}
	id := scim.RequestID(ctx)
	if id == "" {
		id = newSCIMID()
	}
	// Every outcome names its request, so that it leads back to it (and
	// the request log shows it).
	ch.Tag = "SCIM request " + id
	// The caller holds the connection's lease (exclusive), so no other
	// process continues the same run meanwhile.
	var before store.Counts
	if !forced {
		cont, err := b.recentRun(ctx, c.Name)
		if err != nil {
			return err
		}
		if cont != nil {
			ch.Continue, before = cont, cont.Counts
		}
	}
	rep, err := b.a.Engine.ApplyChanges(ctx, j, ch)
	switch {
	case errors.Is(err, reconcile.ErrGuardTipped):
		return &scim.Error{Status: http.StatusTooManyRequests, RetryAfter: guardRetryAfter, Err: err,
			Detail: fmt.Sprintf("the deletion guard holds this deactivation for an operator's approval (run %d); retry later", rep.ID)}
	case err != nil:
		return err
	}
	return b.refusal(ctx, rep, before, ch.Tag)
}

// scimRunWindow is how long a SCIM run takes in further requests: a
// client's push shows in the runs list as a few runs, not one per request.
const scimRunWindow = time.Minute

// recentRun returns the connection's newest run when a SCIM request may
// continue it: a SCIM run that succeeded, started within scimRunWindow and
// was not held for approval.
func (b *SCIMBackend) recentRun(ctx context.Context, conn string) (*store.Run, error) {
	runs, err := b.a.Store.ListRuns(ctx, store.RunQuery{Connection: conn, Limit: 1})
	if err != nil || len(runs) == 0 {
		return nil, err
	}
	r := runs[0]
	if r.Trigger != store.TriggerSCIM || r.Status != store.RunSucceeded || time.Since(r.StartedAt) > scimRunWindow ||
		r.PendingDeactivations > 0 || strings.Contains(strings.Join(r.Warnings, "\n"), " approved at ") {
		return nil, nil
	}
	return &r, nil
}

// refusal returns the error for a request whose changes the run failed
// or skipped: a userId another active user holds (or a local user's) is
// 409 uniqueness, anything else 400 invalidValue with the run's reason.
// Only this request's outcomes count (tag), since the run may hold others.
func (b *SCIMBackend) refusal(ctx context.Context, rep *reconcile.Report, before store.Counts, tag string) error {
	if rep == nil || rep.Failed+rep.Skipped == before.Failed+before.Skipped {
		return nil
	}
	for _, action := range []string{store.ActionFailed, store.ActionSkipped} {
		outs, err := b.a.Store.ListOutcomes(ctx, rep.ID, store.OutcomeQuery{Action: action})
		if err != nil {
			return err
		}
		for _, o := range outs {
			if !hasTag(o, tag) {
				continue
			}
			if err := outcomeRefusal(o, action, rep.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// scimGroups reads a connection's SCIM Groups as directory entries for
// the group rules: cn is the displayName, member the members' DNs.
type scimGroups struct {
	st    store.Store
	conn  string
	cache *groupCache
}

// groupCache keeps the entries of a connection's Groups decoded, each by
// its stored version: a group of thousands of members is read on every
// batch that changes memberships, and decoding it again each time cost
// more than the rest of the batch. A group written since (by any process)
// has a new version and is decoded again.
type groupCache struct {
	mu sync.Mutex
	m  map[string]cachedGroup
}

type cachedGroup struct {
	version int64
	updated time.Time
	entry   *directory.Entry
}

var _ directory.Reader = (*scimGroups)(nil)

func (g *scimGroups) Search(ctx context.Context, _ directory.Query, fn func(*directory.Entry) error) error {
	rs, err := g.st.ListSCIMResources(ctx, store.SCIMQuery{Connection: g.conn, Kind: store.SCIMGroup})
	if err != nil {
		return err
	}
	g.cache.mu.Lock()
	defer g.cache.mu.Unlock()
	seen := make(map[string]bool, len(rs))
	for _, r := range rs {
		seen[r.ID] = true
		if c, ok := g.cache.m[r.ID]; ok && c.version == r.Version && c.updated.Equal(r.UpdatedAt) {
			if err := fn(c.entry); err != nil {
				return err
			}
			continue
		}
		e, err := groupEntry(r)
		if err != nil {
			return err
		}
		g.cache.m[r.ID] = cachedGroup{version: r.Version, updated: r.UpdatedAt, entry: e}
		if err := fn(e); err != nil {
			return err
		}
	}
	for id := range g.cache.m {
		if !seen[id] {
			delete(g.cache.m, id)
		}
	}
	return nil
}

// groupEntry is a stored Group as a directory entry: cn is the
// displayName, member the members' DNs.
func groupEntry(r store.SCIMResource) (*directory.Entry, error) {
	// Only the name and the members' values are read, into a struct
	// rather than a map: a group of thousands of members is decoded
	// on every batch that changes memberships.
	var g struct {
		DisplayName string `json:"displayName"`
		Members     []struct {
			Value json.RawMessage `json:"value"`
		} `json:"members"`
	}
	if err := json.Unmarshal(r.Body, &g); err != nil {
		return nil, fmt.Errorf("scim %s %q: stored body: %w", r.Kind, r.ID, err)
	}
	e := &directory.Entry{DN: scimGroupDN(r.ID), Attrs: map[string][]string{"cn": {g.DisplayName}}}
	if len(g.Members) > 0 {
		e.Attrs["member"] = make([]string, 0, len(g.Members))
	}
	for _, m := range g.Members {
		var v string
		if json.Unmarshal(m.Value, &v) == nil && v != "" {
			e.Attrs["member"] = append(e.Attrs["member"], scimUserDN(v))
		}
	}
	return e, nil
}

func (g *scimGroups) Close() error { return nil }

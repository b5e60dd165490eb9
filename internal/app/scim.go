package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/scim"
	"github.com/usersync/usersync/internal/store"
)

// SCIMBackend serves the SCIM endpoint of every SCIM connection: it keeps
// the resources the client wrote and feeds every User write through the
// same engine as a directory read (mapping, plan, uniqueness, deletion
// guard, group rules, run records).
type SCIMBackend struct {
	a *App
	// queues holds each connection's writes waiting for its next batch
	// (scimbatch.go): one committer at a time applies them, so that a
	// PATCH reads and writes its resource with no other write between;
	// runs of several processes exclude each other by the connection's
	// lease.
	queues sync.Map // connection name → *scimQueue
	// groups caches each connection's decoded Groups (scimGroups).
	groups sync.Map // connection name → *groupCache
	// batches and writes count what the queues committed (Stats).
	batches, writes atomic.Int64
}

var _ scim.Backend = (*SCIMBackend)(nil)

// NewSCIMBackend returns the backend of the SCIM handler.
func NewSCIMBackend(a *App) *SCIMBackend { return &SCIMBackend{a: a} }

// Authenticate checks a bearer token for a connection.
func (b *SCIMBackend) Authenticate(ctx context.Context, conn, token string) error {
	_, err := b.a.authenticateSCIM(ctx, conn, token)
	return err
}

func kindOf(kind string) string {
	if kind == scim.KindGroup {
		return store.SCIMGroup
	}
	return store.SCIMUser
}

func stored(r store.SCIMResource) (scim.Stored, error) {
	var res scim.Resource
	if err := json.Unmarshal(r.Body, &res); err != nil {
		return scim.Stored{}, fmt.Errorf("scim %s %q: stored body: %w", r.Kind, r.ID, err)
	}
	return scim.Stored{ID: r.ID, Resource: res, Created: r.CreatedAt, Modified: r.UpdatedAt, Version: r.Version}, nil
}

func notFound(kind, id string) error {
	return &scim.Error{Status: http.StatusNotFound, Detail: fmt.Sprintf("no %s %q", kind, id), Err: scim.ErrNotFound}
}

// Get returns one resource.
func (b *SCIMBackend) Get(ctx context.Context, conn, kind, id string) (scim.Stored, error) {
	r, err := b.a.Store.GetSCIMResource(ctx, conn, kindOf(kind), id)
	if errors.Is(err, store.ErrNotFound) {
		return scim.Stored{}, notFound(kind, id)
	}
	if err != nil {
		return scim.Stored{}, err
	}
	return stored(r)
}

// List returns the resources a filter's hint allows.
func (b *SCIMBackend) List(ctx context.Context, conn, kind string, hint scim.Hint) ([]scim.Stored, error) {
	rs, err := b.a.Store.ListSCIMResources(ctx, store.SCIMQuery{Connection: conn, Kind: kindOf(kind), NameKey: hint.Name, ExternalID: hint.ExternalID})
	if err != nil {
		return nil, err
	}
	out := make([]scim.Stored, 0, len(rs))
	for _, r := range rs {
		s, err := stored(r)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// nameKey is what must be unique among a connection's resources of a
// kind: a User's userName, compared case-insensitively as RFC 7643 says,
// and a Group's displayName, which Microsoft requires to be unique to
// match groups.
func nameKey(kind string, r scim.Resource) (string, error) {
	attr := "userName"
	if kind == scim.KindGroup {
		attr = "displayName"
	}
	v, _ := r[attr].(string)
	if strings.TrimSpace(v) == "" {
		return "", scim.BadRequest(scim.TypeInvalidValue, "%s is required and must not be empty", attr)
	}
	return strings.ToLower(v), nil
}

func newSCIMID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// put stores a resource; a name another resource holds is 409 uniqueness.
func (b *SCIMBackend) put(ctx context.Context, conn, kind, id string, r scim.Resource, create bool) (store.SCIMResource, error) {
	if _, ok := r["active"]; !ok && kind == scim.KindUser {
		// A user without active is provisioned active, as a directory
		// entry that says nothing of its state is; the resource says so.
		r["active"] = true
	}
	key, err := nameKey(kind, r)
	if err != nil {
		return store.SCIMResource{}, err
	}
	body, err := json.Marshal(r)
	if err != nil {
		return store.SCIMResource{}, fmt.Errorf("scim %s: %w", kind, err)
	}
	ext, _ := r["externalId"].(string)
	rec, err := b.a.Store.PutSCIMResource(ctx, store.SCIMResource{Connection: conn, Kind: kindOf(kind), ID: id, NameKey: key, ExternalID: ext, Body: body}, create)
	if errors.Is(err, store.ErrConflict) {
		attr := "userName"
		if kind == scim.KindGroup {
			attr = "displayName"
		}
		return rec, &scim.Error{Status: http.StatusConflict, Type: scim.TypeUniqueness,
			Detail: fmt.Sprintf("another %s of connection %q has the %s %q", kind, conn, attr, key), Err: scim.ErrUniqueness}
	}
	if errors.Is(err, store.ErrNotFound) {
		return rec, notFound(kind, id)
	}
	return rec, err
}

// Create stores a new resource and applies it, in the connection's next
// batch.
func (b *SCIMBackend) Create(ctx context.Context, conn, kind string, r scim.Resource) (scim.Stored, error) {
	w := &scimWrite{op: opCreate, kind: kind, res: r}
	if err := b.submit(ctx, conn, w); err != nil {
		return scim.Stored{}, err
	}
	return stored(w.rec)
}

// Update changes a resource, with no other write between its read and its
// write, and applies it in the connection's next batch; a write the engine
// refuses leaves the stored resource as it was.
func (b *SCIMBackend) Update(ctx context.Context, conn, kind, id string, change func(scim.Resource) (scim.Resource, error)) (scim.Stored, error) {
	w := &scimWrite{op: opUpdate, kind: kind, id: id, change: change}
	if err := b.submit(ctx, conn, w); err != nil {
		return scim.Stored{}, err
	}
	return stored(w.rec)
}

// Delete applies the connection's leave policy to a User (or takes a
// Group's memberships away) and then forgets the resource.
func (b *SCIMBackend) Delete(ctx context.Context, conn, kind, id string) error {
	return b.submit(ctx, conn, &scimWrite{op: opDelete, kind: kind, id: id})
}

// deleteOne is a DELETE, under the connection's lease.
func (b *SCIMBackend) deleteOne(ctx context.Context, c connection.Connection, kind, id string) error {
	old, err := b.Get(ctx, c.Name, kind, id)
	if err != nil {
		return err
	}
	if err := b.remove(ctx, c, kind, id, old.Resource); err != nil || kind == scim.KindGroup {
		return err
	}
	err = b.a.Store.DeleteSCIMResource(ctx, c.Name, kindOf(kind), id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound(kind, id)
	}
	return err
}

// scimUsage answers a connection that is not (or no longer) a SCIM one as
// a 404: the token was valid a moment ago, so the connection changed.
func scimUsage(err error) error {
	if errors.Is(err, ErrUsage) {
		return &scim.Error{Status: http.StatusNotFound, Detail: err.Error(), Err: err}
	}
	return err
}

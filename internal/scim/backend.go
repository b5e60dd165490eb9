package scim

import (
	"context"
	"time"
)

// Stored is a resource as the Backend keeps it.
type Stored struct {
	ID       string
	Resource Resource
	Created  time.Time
	Modified time.Time
	Version  int64
}

// Backend is what the handler needs from usersync. Every method takes the
// connection's name from the URL. Errors are *Error values or wrap the
// sentinels ErrUnauthorized, ErrNotFound and ErrUniqueness.
type Backend interface {
	// Authenticate checks a bearer token for a connection.
	Authenticate(ctx context.Context, conn, token string) error
	Get(ctx context.Context, conn, kind, id string) (Stored, error)
	// List returns the resources the hint may match (all when it is
	// empty); the handler applies the filter itself.
	List(ctx context.Context, conn, kind string, hint Hint) ([]Stored, error)
	Create(ctx context.Context, conn, kind string, r Resource) (Stored, error)
	// Update reads a resource, lets change compute its next state and
	// writes that, with no other write of the connection in between.
	Update(ctx context.Context, conn, kind, id string, change func(Resource) (Resource, error)) (Stored, error)
	Delete(ctx context.Context, conn, kind, id string) error
}

type requestIDKey struct{}

// WithRequestID returns a context carrying the id of the SCIM request
// being served; a request log that wraps the handler sets it, and the run
// outcomes of the request name it.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id WithRequestID stored, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

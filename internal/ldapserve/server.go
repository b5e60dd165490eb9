package ldapserve

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/jimlambrt/gldap"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/store"
)

// Store is what the LDAP interface reads.
type Store interface {
	GetLDAPView(ctx context.Context, name string) (store.LDAPView, error)
	ListLDAPViews(ctx context.Context) ([]store.LDAPView, error)
	GetLDAPAccount(ctx context.Context, view, name string) (store.LDAPAccount, error)
	FindUsers(ctx context.Context, userID string) ([]store.User, error)
	FindUsersByEmail(ctx context.Context, email string) ([]store.User, error)
	GetUsers(ctx context.Context, ids []int64) ([]store.User, error)
	ListUsers(ctx context.Context, q store.UserQuery) ([]store.User, error)
	ListEntities(ctx context.Context, kind string) ([]store.Entity, error)
	UserMemberships(ctx context.Context, userRowID int64) ([]store.Membership, error)
	SourceMemberships(ctx context.Context, source string) ([]store.Membership, error)
	ListConnections(ctx context.Context) ([]connection.Connection, error)
}

// Defaults of Config's limits.
const (
	// DefaultMaxEntries caps what one search (or one page of a paged
	// search) returns, whatever the client asks for.
	DefaultMaxEntries = 1000
	// DefaultMaxTime caps how long one search may run.
	DefaultMaxTime = 30 * time.Second
)

// Config configures a Server.
type Config struct {
	Store Store
	// TLS holds the server's certificate for LDAPS and StartTLS; nil
	// serves neither.
	TLS *tls.Config
	// AllowPlain lets a client bind and search on the plain port without
	// StartTLS first. Without it the plain port only offers StartTLS.
	AllowPlain bool
	MaxEntries int
	MaxTime    time.Duration
	// BindDelay is the first wait before answering a failed bind once a DN
	// has failed freeBindFailures times (default 1s; it doubles).
	BindDelay time.Duration
	Logger    *slog.Logger
}

// Server is the LDAP interface: one or more listeners over one store.
type Server struct {
	cfg Config

	mu        sync.Mutex
	listeners []*listener
	pages     pageCache
	binds     bindGuard
}

// session is what the server remembers about one client connection.
type session struct {
	view    string // the view the bound account may read; "" when anonymous
	account string
	tls     bool
}

// listener is one port: LDAPS (TLS from the first byte) or plain with
// StartTLS. gldap numbers connections per server, so sessions are kept per
// listener.
type listener struct {
	s        *Server
	srv      *gldap.Server
	addr     string
	ldaps    bool
	mu       sync.Mutex
	sessions map[int]*session
	done     chan error
}

// New checks cfg and returns a Server that listens nowhere yet.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("ldapserve: no store")
	}
	if cfg.MaxEntries <= 0 {
		cfg.MaxEntries = DefaultMaxEntries
	}
	if cfg.MaxTime <= 0 {
		cfg.MaxTime = DefaultMaxTime
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.BindDelay <= 0 {
		cfg.BindDelay = time.Second
	}
	s := &Server{cfg: cfg}
	s.binds.base = cfg.BindDelay
	return s, nil
}

// ListenLDAPS serves LDAP over TLS on addr.
func (s *Server) ListenLDAPS(addr string) error {
	if s.cfg.TLS == nil {
		return errors.New("ldapserve: LDAPS needs the server's certificate and key")
	}
	return s.listen(addr, true)
}

// ListenPlain serves LDAP on addr with StartTLS when the server has a
// certificate. Binds and searches need StartTLS first unless AllowPlain.
func (s *Server) ListenPlain(addr string) error {
	if s.cfg.TLS == nil && !s.cfg.AllowPlain {
		return errors.New("ldapserve: a plain LDAP port needs a certificate for StartTLS, or plain LDAP explicitly allowed")
	}
	return s.listen(addr, false)
}

func (s *Server) listen(addr string, ldaps bool) error {
	l := &listener{s: s, addr: addr, ldaps: ldaps, sessions: map[int]*session{}, done: make(chan error, 1)}
	srv, err := gldap.NewServer(gldap.WithLogger(hclog.NewNullLogger()), gldap.WithOnClose(l.forget),
		gldap.WithReadTimeout(10*time.Minute))
	if err != nil {
		return fmt.Errorf("ldapserve: new server: %w", err)
	}
	mux, err := l.routes()
	if err != nil {
		return err
	}
	if err := srv.Router(mux); err != nil {
		return fmt.Errorf("ldapserve: router: %w", err)
	}
	l.srv = srv
	var opts []gldap.Option
	if ldaps {
		opts = append(opts, gldap.WithTLSConfig(s.cfg.TLS))
	}
	go func() { l.done <- srv.Run(addr, opts...) }()
	// gldap opens the port inside Run; wait until it accepts connections
	// or Run gives up.
	deadline := time.Now().Add(5 * time.Second)
	for {
		select {
		case err := <-l.done:
			if err == nil {
				err = errors.New("server exited")
			}
			return fmt.Errorf("ldapserve: listen on %s: %w", addr, err)
		default:
		}
		if srv.Ready() {
			if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
				_ = c.Close()
				break
			}
		}
		if time.Now().After(deadline) {
			_ = srv.Stop()
			return fmt.Errorf("ldapserve: listen on %s: not ready after 5s", addr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.mu.Lock()
	s.listeners = append(s.listeners, l)
	s.mu.Unlock()
	s.cfg.Logger.Info("LDAP interface listening", "addr", addr, "ldaps", ldaps, "startTLS", !ldaps && s.cfg.TLS != nil)
	return nil
}

// Close stops every listener. A client that keeps its connection open is
// given a short grace; its goroutine ends when it goes away.
func (s *Server) Close() error {
	s.mu.Lock()
	ls := s.listeners
	s.listeners = nil
	s.mu.Unlock()
	var errs []error
	for _, l := range ls {
		stopped := make(chan error, 1)
		go func() { stopped <- l.srv.Stop() }()
		select {
		case err := <-stopped:
			if err != nil {
				errs = append(errs, fmt.Errorf("ldapserve: stop %s: %w", l.addr, err))
			}
		case <-time.After(3 * time.Second):
		}
	}
	return errors.Join(errs...)
}

func (l *listener) session(id int) *session {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.sessions[id]
	if s == nil {
		s = &session{tls: l.ldaps}
		l.sessions[id] = s
	}
	c := *s
	return &c
}

func (l *listener) update(id int, fn func(*session)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.sessions[id]
	if s == nil {
		s = &session{tls: l.ldaps}
		l.sessions[id] = s
	}
	fn(s)
}

func (l *listener) forget(id int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.sessions, id)
}

func (l *listener) routes() (*gldap.Mux, error) {
	mux, err := gldap.NewMux()
	if err != nil {
		return nil, fmt.Errorf("ldapserve: new mux: %w", err)
	}
	routes := []func() error{
		func() error { return mux.Bind(l.handleBind) },
		func() error { return mux.Search(l.handleSearch) },
		func() error { return mux.Modify(refuse(gldap.ApplicationModifyResponse)) },
		func() error { return mux.Add(refuse(gldap.ApplicationAddResponse)) },
		func() error { return mux.Delete(refuse(gldap.ApplicationDelResponse)) },
		func() error { return mux.DefaultRoute(refuse(gldap.ApplicationExtendedResponse)) },
	}
	if !l.ldaps && l.s.cfg.TLS != nil {
		routes = append(routes, func() error { return mux.ExtendedOperation(l.handleStartTLS, gldap.ExtendedOperationStartTLS) })
	}
	for _, r := range routes {
		if err := r(); err != nil {
			return nil, fmt.Errorf("ldapserve: route: %w", err)
		}
	}
	return mux, nil
}

// refuse answers every write: the directory is a read-only view of the
// store, which only sync and the operators change.
func refuse(applicationCode int) gldap.HandlerFunc {
	return func(w *gldap.ResponseWriter, r *gldap.Request) {
		resp := r.NewResponse(gldap.WithApplicationCode(applicationCode),
			gldap.WithResponseCode(gldap.ResultUnwillingToPerform),
			gldap.WithDiagnosticMessage("usersync's LDAP interface is read-only"))
		_ = w.Write(resp)
	}
}

func (l *listener) handleStartTLS(w *gldap.ResponseWriter, r *gldap.Request) {
	if l.session(r.ConnectionID()).tls {
		resp := r.NewExtendedResponse(gldap.WithResponseCode(gldap.ResultOperationsError))
		resp.SetResponseName(gldap.ExtendedOperationStartTLS)
		resp.SetDiagnosticMessage("TLS is already established")
		_ = w.Write(resp)
		return
	}
	resp := r.NewExtendedResponse(gldap.WithResponseCode(gldap.ResultSuccess))
	resp.SetResponseName(gldap.ExtendedOperationStartTLS)
	if err := w.Write(resp); err != nil {
		return
	}
	if err := r.StartTLS(l.s.cfg.TLS); err != nil {
		l.s.cfg.Logger.Warn("LDAP StartTLS failed", "error", err)
		return
	}
	l.update(r.ConnectionID(), func(s *session) { s.tls = true })
}

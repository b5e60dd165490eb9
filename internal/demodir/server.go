// Package demodir is the built-in sample directory that `usersync demo`
// starts: a small Active Directory look-alike for contoso.test, served over
// real LDAP on loopback so usersync's real LDAP client code runs against it
// without slapd or a domain controller.
package demodir

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/jimlambrt/gldap"

	"github.com/usersync/usersync/internal/connection"
)

// stopGrace bounds how long Stop waits for clients that keep a connection
// open; gldap only notices a stop when such a client sends its next request.
const stopGrace = 3 * time.Second

// Server is a running demo directory. The exported fields describe how to
// reach it; they are set by Start and must not be changed.
type Server struct {
	// Host is the loopback address the server listens on.
	Host string
	// Port is the TCP port the server listens on.
	Port int
	// BaseDN is the domain's naming context, DC=contoso,DC=test.
	BaseDN string
	// PeopleDN is the OU holding the demo people.
	PeopleDN string
	// BindDN is the DN of the usersync service account.
	BindDN string
	// Password is the service account's password, random for every Start.
	Password string

	srv   *gldap.Server
	store *store

	mu       sync.Mutex
	sessions map[int]string // connection ID → bound DN
	stopped  bool
}

// Start builds the sample directory and serves it on 127.0.0.1 on a free
// port. The server accepts connections when Start returns. Cancelling ctx
// only aborts the start-up; use Stop to shut the server down.
func Start(ctx context.Context) (*Server, error) {
	secret := make([]byte, 18)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("demodir: generate password: %w", err)
	}
	s := &Server{
		Host: "127.0.0.1", BaseDN: BaseDN, PeopleDN: PeopleDN, BindDN: BindDN,
		Password: "Ds1-" + base64.RawURLEncoding.EncodeToString(secret),
		store:    newStore(), sessions: map[int]string{},
	}
	populate(s.store)

	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("demodir: start: %w", err)
		}
		if lastErr = s.listen(ctx); lastErr == nil {
			return s, nil
		}
	}
	return nil, lastErr
}

// listen picks a free port and runs gldap on it, returning once the port
// accepts connections. gldap binds the port itself, so another process can
// take it in between; Start retries in that case.
func (s *Server) listen(ctx context.Context) error {
	l, err := net.Listen("tcp", net.JoinHostPort(s.Host, "0"))
	if err != nil {
		return fmt.Errorf("demodir: find a free port: %w", err)
	}
	s.Port = l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return fmt.Errorf("demodir: release probe port: %w", err)
	}

	// gldap's Stop waits on a WaitGroup that its accept loop adds to; the
	// race detector wants every Add ordered before that Wait. Handlers take
	// s.mu, which orders them; the probe connection is ordered by waiting
	// for its close callback.
	probed, once := make(chan struct{}), sync.Once{}
	onClose := func(id int) {
		s.forget(id)
		once.Do(func() { close(probed) })
	}
	srv, err := gldap.NewServer(gldap.WithLogger(hclog.NewNullLogger()), gldap.WithOnClose(onClose))
	if err != nil {
		return fmt.Errorf("demodir: new server: %w", err)
	}
	mux, err := s.routes()
	if err != nil {
		return err
	}
	if err := srv.Router(mux); err != nil {
		return fmt.Errorf("demodir: router: %w", err)
	}
	done := make(chan error, 1)
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	go func() { done <- srv.Run(addr) }()

	for {
		select {
		case err := <-done:
			if err == nil {
				err = errors.New("server exited")
			}
			return fmt.Errorf("demodir: listen on %s: %w", addr, err)
		case <-ctx.Done():
			_ = srv.Stop()
			return fmt.Errorf("demodir: start: %w", ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			_ = c.Close()
			select {
			case <-probed:
			case <-time.After(time.Second):
			}
			s.srv = srv
			return nil
		}
	}
}

// routes wires the LDAP operations to their handlers.
func (s *Server) routes() (*gldap.Mux, error) {
	mux, err := gldap.NewMux()
	if err != nil {
		return nil, fmt.Errorf("demodir: new mux: %w", err)
	}
	for _, r := range []func() error{
		func() error { return mux.Bind(s.handleBind) },
		func() error { return mux.Search(s.handleSearch) },
		func() error { return mux.Modify(s.handleModify) },
		func() error { return mux.Add(refuse(gldap.ApplicationAddResponse)) },
		func() error { return mux.Delete(refuse(gldap.ApplicationDelResponse)) },
		func() error { return mux.DefaultRoute(refuse(gldap.ApplicationExtendedResponse)) },
	} {
		if err := r(); err != nil {
			return nil, fmt.Errorf("demodir: route: %w", err)
		}
	}
	return mux, nil
}

// Stop closes the listening port at once, then waits a short while for open
// connections to finish. It is safe to call more than once.
func (s *Server) Stop() error {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return nil
	}
	s.stopped = true
	s.mu.Unlock()

	stopped := make(chan error, 1)
	go func() { stopped <- s.srv.Stop() }()
	select {
	case err := <-stopped:
		if err != nil {
			return fmt.Errorf("demodir: stop: %w", err)
		}
	case <-time.After(stopGrace):
		// A client still holds a connection open; the port is already
		// closed, and its goroutine ends when that client goes away.
	}
	return nil
}

// Connection returns a ready usersync connection document for this server.
func (s *Server) Connection(name string) connection.Connection {
	c := connection.Connection{
		Name:         name,
		FriendlyName: "Demo directory (Contoso)",
		DNSName:      s.Host,
		Port:         s.Port,
		Security:     connection.SecurityNone,
		Username:     s.BindDN,
		Password:     s.Password,
		SearchPath:   s.PeopleDN,
		SearchFilter: "(&(objectClass=user)(objectCategory=person))",
	}
	c.ApplyDefaults()
	return c
}

// SetAttribute replaces the values of one attribute of the entry at dn, as
// an administrator editing the directory would; no values removes the
// attribute. It advances uSNChanged like any other change.
func (s *Server) SetAttribute(dn, attr string, values ...string) error {
	if isProtected(attr) {
		return fmt.Errorf("demodir: set %s on %q: %w", attr, dn, errProtected)
	}
	return s.store.update(dn, func(e *entry) error {
		e.set(attr, values)
		return nil
	})
}

// Delete removes the leaf entry at dn and its DN from every group.
func (s *Server) Delete(dn string) error { return s.store.remove(dn) }

// Users returns how many people (enabled or not) the People OU holds.
func (s *Server) Users() int { return s.store.count(isPerson) }

// PeopleDNs returns the DNs of the people, in directory order, so that demos
// and tests can change or delete one.
func (s *Server) PeopleDNs() []string {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	var out []string
	for _, e := range s.store.entries {
		if !e.deleted && isPerson(e) {
			out = append(out, e.dn)
		}
	}
	return out
}

// boundDN returns the DN the connection is bound as, or "" when anonymous.
func (s *Server) boundDN(connID int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions[connID]
}

// setBound records the connection's identity; "" makes it anonymous again.
func (s *Server) setBound(connID int, dn string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if dn == "" {
		delete(s.sessions, connID)
		return
	}
	s.sessions[connID] = dn
}

// forget drops a closed connection's identity.
func (s *Server) forget(connID int) { s.setBound(connID, "") }

// refuse answers an operation the demo directory does not offer with
// unwillingToPerform, in the response type the client waits for.
func refuse(applicationCode int) gldap.HandlerFunc {
	return func(w *gldap.ResponseWriter, r *gldap.Request) {
		resp := r.NewResponse(gldap.WithApplicationCode(applicationCode),
			gldap.WithResponseCode(gldap.ResultUnwillingToPerform),
			gldap.WithDiagnosticMessage("00002035: the usersync demo directory supports bind, search and modify only"))
		resp.SetMatchedDN("")
		_ = w.Write(resp)
	}
}

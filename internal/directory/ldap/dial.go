// Package ldap reads and writes LDAP directories, Active Directory among
// them, over github.com/go-ldap/ldap/v3.
package ldap

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"time"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/directory"
)

// Conn is a bound LDAP connection.
type Conn struct {
	conn   *ldapv3.Conn
	flavor directory.Flavor
	// h lets a bulk search borrow the socket from go-ldap (fastsearch.go);
	// nil under StartTLS, where go-ldap wraps the socket in TLS itself.
	h      *handoffConn
	msgID  int64
	broken error
	// fast is set by UseFastSearch.
	fast bool
	// timeout bounds each request and each page of a search.
	timeout time.Duration
}

var _ directory.Reader = (*Conn)(nil)

// DefaultTimeout bounds dialing, the TLS handshake and each request when
// the connection sets no timeoutSeconds.
const DefaultTimeout = 30 * time.Second

// requestTimeout is the connection's timeoutSeconds, or DefaultTimeout.
func requestTimeout(c Config) time.Duration {
	if c.TimeoutSeconds > 0 {
		return time.Duration(c.TimeoutSeconds) * time.Second
	}
	return DefaultTimeout
}

// Dial connects to the connection's server, sets up TLS as configured, and
// binds with its credentials. Every failure is a *Problem naming the cause.
func Dial(ctx context.Context, c Config) (*Conn, error) {
	tlsConf, err := tlsConfig(c)
	if err != nil {
		return nil, err
	}
	addr := c.Address()
	timeout := requestTimeout(c)
	dialer := &net.Dialer{Timeout: timeout}
	var raw net.Conn
	if c.Security == SecurityLDAPS {
		raw, err = (&tls.Dialer{NetDialer: dialer, Config: tlsConf}).DialContext(ctx, "tcp", addr)
	} else {
		raw, err = dialer.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, classifyDial(c, err)
	}
	var h *handoffConn
	if c.Security != SecurityStartTLS {
		h = newHandoffConn(raw)
		raw = h
	}
	lc := ldapv3.NewConn(raw, c.Security == SecurityLDAPS)
	lc.Start()
	lc.SetTimeout(timeout)
	if c.Security == SecurityStartTLS {
		if err := lc.StartTLS(tlsConf); err != nil {
			lc.Close()
			return nil, classifyDial(c, err)
		}
	}
	if c.Username != "" || c.Password != "" {
		if err := bind(lc, c.Username, c.Password); err != nil {
			lc.Close()
			return nil, classifyBind(c, err)
		}
	}
	return &Conn{conn: lc, h: h, timeout: timeout}, nil
}

func bind(lc *ldapv3.Conn, user, password string) error {
	if password == "" {
		// An empty password is an unauthenticated bind (RFC 4513 5.1.2) that
		// servers accept for any name: refuse it rather than pretend to be bound.
		return errEmptyPassword
	}
	return lc.Bind(user, password)
}

var errEmptyPassword = errors.New("empty password")

func tlsConfig(c Config) (*tls.Config, error) {
	conf := &tls.Config{ServerName: c.DNSName, MinVersion: tls.VersionTLS12}
	if c.TLSSkipVerify {
		conf.InsecureSkipVerify = true //nolint:gosec // the operator turned verification off for this connection; the UI shows it in red.
	}
	if c.CACertificate != "" {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(c.CACertificate)) {
			return nil, &Problem{Kind: KindConfig, Field: "caCertificate", Msg: "caCertificate holds no PEM certificate that can be parsed"}
		}
		conf.RootCAs = pool
	}
	return conf, nil
}

// Close unbinds and closes the connection.
func (c *Conn) Close() error {
	if c.conn == nil {
		return nil
	}
	return c.conn.Close()
}

// Raw exposes the underlying go-ldap connection to the subpackages of
// usersync that need operations this type does not wrap.
func (c *Conn) Raw() *ldapv3.Conn { return c.conn }

// Authenticate checks a user's password with a bind on a fresh connection.
func Authenticate(ctx context.Context, c Config, bindName, password string) error {
	c.Username, c.Password = bindName, password
	conn, err := Dial(ctx, c)
	if err != nil {
		return err
	}
	return conn.Close()
}

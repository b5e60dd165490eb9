package ldap

import (
	"net"
	"strconv"
)

// Transport security of an LDAP connection.
const (
	SecurityNone     = "none"
	SecurityLDAPS    = "ldaps"
	SecurityStartTLS = "startTls"
)

// Config is what the driver needs to reach and search one directory: the
// server, how to secure and bind the connection, and where to search. The
// application builds it from its own connection settings; the driver knows
// nothing of mappings, scope or UPN rules.
type Config struct {
	// DNSName is the server's host name, which TLS also verifies.
	DNSName string
	Port    int
	// Security is SecurityNone, SecurityLDAPS or SecurityStartTLS.
	Security      string
	CACertificate string
	TLSSkipVerify bool
	Username      string
	Password      string
	SearchPath    string
	SearchFilter  string
	PageSize      int
	// TimeoutSeconds bounds dialing, the TLS handshake, each request and
	// each search page; 0 means DefaultTimeout.
	TimeoutSeconds int
	// MustWrite lists the attributes the bound account must be able to
	// update on the entries the search finds; Check verifies them.
	MustWrite []WriteCheck
}

// WriteCheck is an attribute the connection will write, and the
// connection field that names it (for a message about the attribute).
type WriteCheck struct {
	Attribute string
	Field     string
}

// Address is host:port for dialing.
func (c Config) Address() string {
	return net.JoinHostPort(c.DNSName, strconv.Itoa(c.Port))
}

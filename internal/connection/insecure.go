package connection

import (
	"errors"
	"fmt"
)

// ErrInsecureForbidden is matched by the error a server that forbids
// insecure directory settings returns for such a connection.
var ErrInsecureForbidden = errors.New("insecure connection settings are forbidden on this server")

// Insecure lists the settings that expose the connection's credential or
// its traffic: a password sent over plain LDAP (the bind password, or users'
// passwords when plain-text user binds are allowed), and certificates that
// are not verified. Each is a warning on every path that shows the connection
// (API, CLI, run report and UI), and an error where the operator forbids
// insecure settings.
func (c Connection) Insecure() []FieldError {
	var out []FieldError
	if c.Security == SecurityNone && (c.Password != "" || c.HasPassword) {
		out = append(out, FieldError{Field: "security",
			Message: "is none: the bind password crosses the network in clear; use ldaps or startTls"})
	}
	if c.Security == SecurityNone && c.AllowPlainTextUserBinds {
		out = append(out, FieldError{Field: "allowPlainTextUserBinds",
			Message: "is true with security none: users' own passwords cross the network in clear when they log in"})
	}
	if c.TLSSkipVerify {
		out = append(out, FieldError{Field: "tlsSkipVerify",
			Message: "is true: the server's certificate is not verified, so anyone on the network path can impersonate the directory and read the bind password"})
	}
	return append(out, c.pushInsecure()...)
}

// RunWarnings are the insecure settings as the warnings a run records.
func (c Connection) RunWarnings() []string {
	var out []string
	for _, p := range c.Insecure() {
		out = append(out, "insecure connection: "+p.Error())
	}
	return out
}

// ForbidInsecure returns an error naming each insecure setting of c, or nil
// when it has none.
func (c Connection) ForbidInsecure() error {
	probs := c.Insecure()
	if len(probs) == 0 {
		return nil
	}
	for i := range probs {
		probs[i].Message += " (insecure settings are forbidden on this server)"
	}
	return fmt.Errorf("%w: %w", ErrInsecureForbidden, &ValidationError{Problems: probs})
}

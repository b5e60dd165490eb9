package ldap

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
	"syscall"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/directory"
)

// Problem and its kinds live in package directory, so that callers can
// classify a failure without importing the driver. These aliases keep the
// driver's own names working.
type (
	Problem = directory.Problem
	Kind    = directory.ProblemKind
)

// Problem kinds, as in package directory.
const (
	KindConfig      = directory.KindConfig
	KindUnreachable = directory.KindUnreachable
	KindTLS         = directory.KindTLS
	KindCredentials = directory.KindCredentials
	KindAccount     = directory.KindAccount
	KindSearchBase  = directory.KindSearchBase
	KindFilter      = directory.KindFilter
	KindLimit       = directory.KindLimit
	KindDirectory   = directory.KindDirectory
	KindPermission  = directory.KindPermission
)

func classifyDial(c Config, err error) error {
	addr := c.Address()
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var opErr *net.OpError
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &unknownCA):
		subject, issuer := "", ""
		if unknownCA.Cert != nil {
			subject, issuer = unknownCA.Cert.Subject.String(), unknownCA.Cert.Issuer.String()
		}
		return &Problem{Kind: KindTLS, Field: "caCertificate", Err: err, Msg: fmt.Sprintf(
			"TLS certificate of %s is not trusted: %q is signed by unknown authority %q; add that CA to caCertificate", addr, subject, issuer)}
	case errors.As(err, &hostErr):
		names := ""
		if hostErr.Certificate != nil {
			names = strings.Join(append(hostErr.Certificate.DNSNames, ipStrings(hostErr.Certificate.IPAddresses)...), ", ")
		}
		return &Problem{Kind: KindTLS, Field: "dnsName", Err: err, Msg: fmt.Sprintf(
			"TLS certificate of %s is not valid for %q (it names: %s); set dnsName to one of those names", addr, hostErr.Host, names)}
	case errors.As(err, &invalid):
		return &Problem{Kind: KindTLS, Err: err, Msg: fmt.Sprintf("TLS certificate of %s is invalid: %v", addr, invalid)}
	case errors.As(err, &dnsErr):
		return &Problem{Kind: KindUnreachable, Field: "dnsName", Err: err, Msg: fmt.Sprintf("cannot resolve host %q: %v", c.DNSName, dnsErr.Err)}
	case errors.Is(err, syscall.ECONNREFUSED):
		return &Problem{Kind: KindUnreachable, Field: "port", Err: err, Msg: fmt.Sprintf("connection refused by %s: nothing listens on port %d (wrong host or port?)", addr, c.Port)}
	case errors.As(err, &opErr) && opErr.Timeout():
		return &Problem{Kind: KindUnreachable, Err: err, Msg: fmt.Sprintf("timed out connecting to %s (host down or a firewall drops packets?)", addr)}
	case isTLSRecordError(err) || (c.Security == SecurityLDAPS && errors.Is(err, io.EOF)):
		return &Problem{Kind: KindTLS, Field: "security", Err: err, Msg: fmt.Sprintf(
			"TLS handshake with %s failed: the server does not speak TLS on port %d (security %q; plain LDAP is usually 389, ldaps 636): %v", addr, c.Port, c.Security, err)}
	}
	var le *ldapv3.Error
	if errors.As(err, &le) && le.ResultCode == ldapv3.LDAPResultProtocolError && c.Security == SecurityStartTLS {
		return &Problem{Kind: KindTLS, Field: "security", Err: err, Msg: fmt.Sprintf("%s refused StartTLS: %s", addr, describeLDAP(le))}
	}
	return &Problem{Kind: KindUnreachable, Err: err, Msg: fmt.Sprintf("cannot connect to %s: %v", addr, err)}
}

func ipStrings(ips []net.IP) []string {
	out := make([]string, len(ips))
	for i, ip := range ips {
		out[i] = ip.String()
	}
	return out
}

func isTLSRecordError(err error) bool {
	s := err.Error()
	return strings.Contains(s, "first record does not look like a TLS handshake") ||
		strings.Contains(s, "tls: ") && strings.Contains(s, "record")
}

// adSubCode finds Active Directory's bind sub-code in a diagnostic message
// such as "80090308: LdapErr: DSID-0C09042A, comment: AcceptSecurityContext
// error, data 52e, v4563".
var adSubCode = regexp.MustCompile(`data ([0-9a-fA-F]{3,8}),`)

// adSubCodes are documented by Microsoft for LDAP bind error 49.
var adSubCodes = map[string]struct {
	kind Kind
	msg  string
}{
	"525": {KindCredentials, "user not found"},
	"52e": {KindCredentials, "invalid credentials (wrong user name or password)"},
	"530": {KindAccount, "logon not permitted at this time"},
	"531": {KindAccount, "logon not permitted from this workstation"},
	"532": {KindAccount, "password expired"},
	"533": {KindAccount, "account disabled"},
	"568": {KindAccount, "too many security IDs for this user"},
	"701": {KindAccount, "account expired"},
	"773": {KindAccount, "user must reset password"},
	"775": {KindAccount, "account locked out"},
}

func classifyBind(c Config, err error) error {
	if errors.Is(err, errEmptyPassword) {
		return &Problem{Kind: KindCredentials, Field: "password", Err: err, Msg: fmt.Sprintf("bind as %q refused: no password given (an empty password would be an anonymous bind)", c.Username)}
	}
	var le *ldapv3.Error
	if !errors.As(err, &le) {
		return classifyDial(c, err)
	}
	switch le.ResultCode {
	case ldapv3.LDAPResultInvalidCredentials:
		if m := adSubCode.FindStringSubmatch(le.Err.Error()); m != nil {
			code := strings.ToLower(strings.TrimLeft(m[1], "0"))
			if d, ok := adSubCodes[code]; ok {
				return &Problem{Kind: d.kind, Field: "password", Code: code, Err: err, Msg: fmt.Sprintf("bind as %q refused by %s: %s (Active Directory code %s)", c.Username, c.Address(), d.msg, code)}
			}
		}
		return &Problem{Kind: KindCredentials, Field: "password", Err: err, Msg: fmt.Sprintf("bind as %q refused by %s: invalid credentials (wrong user name or password)", c.Username, c.Address())}
	case ldapv3.LDAPResultStrongAuthRequired, ldapv3.LDAPResultConfidentialityRequired:
		return &Problem{Kind: KindTLS, Field: "security", Err: err, Msg: fmt.Sprintf("%s requires an encrypted connection for this bind: set security to ldaps or startTls (%s)", c.Address(), describeLDAP(le))}
	case ldapv3.LDAPResultInvalidDNSyntax:
		return &Problem{Kind: KindCredentials, Field: "username", Err: err, Msg: fmt.Sprintf("bind name %q is not a valid DN for %s: %s", c.Username, c.Address(), describeLDAP(le))}
	case ldapv3.ErrorNetwork:
		return &Problem{Kind: KindUnreachable, Err: err, Msg: fmt.Sprintf("connection to %s lost during bind: %v", c.Address(), le.Err)}
	}
	return &Problem{Kind: KindDirectory, Err: err, Msg: fmt.Sprintf("bind as %q on %s failed: %s", c.Username, c.Address(), describeLDAP(le))}
}

func describeLDAP(le *ldapv3.Error) string {
	name := ldapv3.LDAPResultCodeMap[le.ResultCode]
	msg := ""
	if le.Err != nil {
		msg = le.Err.Error()
	}
	if name == "" {
		return fmt.Sprintf("LDAP result %d: %s", le.ResultCode, msg)
	}
	if msg == "" {
		return fmt.Sprintf("%s (LDAP result %d)", name, le.ResultCode)
	}
	return fmt.Sprintf("%s (LDAP result %d): %s", name, le.ResultCode, msg)
}

func classifySearch(base string, err error) error {
	var p *Problem
	if errors.As(err, &p) {
		return err
	}
	var le *ldapv3.Error
	if !errors.As(err, &le) && strings.HasPrefix(err.Error(), "unable to read LDAP response packet") {
		// go-ldap reports a connection that broke under a request as a
		// plain error once its reader has stopped.
		err = ldapv3.NewError(ldapv3.ErrorNetwork, err)
	}
	if errors.As(err, &le) {
		if le.ResultCode == ldapv3.ErrorNetwork && le.Err != nil && strings.Contains(le.Err.Error(), "timed out") {
			return &Problem{Kind: KindUnreachable, Field: "timeoutSeconds", Err: err, Msg: fmt.Sprintf(
				"the server sent nothing within timeoutSeconds while searching %q; the read is incomplete", base)}
		}
		switch le.ResultCode {
		case ldapv3.LDAPResultNoSuchObject:
			return &Problem{Kind: KindSearchBase, Field: "searchPath", Err: err, Msg: fmt.Sprintf("search base %q does not exist on the server", base)}
		case ldapv3.LDAPResultSizeLimitExceeded, ldapv3.LDAPResultTimeLimitExceeded, ldapv3.LDAPResultAdminLimitExceeded:
			return &Problem{Kind: KindLimit, Err: err, Msg: fmt.Sprintf("search under %q stopped by a server limit: %s; the read is incomplete", base, describeLDAP(le))}
		case ldapv3.LDAPResultFilterError:
			return &Problem{Kind: KindFilter, Field: "searchFilter", Err: err, Msg: fmt.Sprintf("the server rejected the search filter: %s", describeLDAP(le))}
		case ldapv3.LDAPResultInvalidDNSyntax:
			return &Problem{Kind: KindSearchBase, Field: "searchPath", Err: err, Msg: fmt.Sprintf("search base %q is not a valid DN: %s", base, describeLDAP(le))}
		case ldapv3.ErrorNetwork:
			return &Problem{Kind: KindUnreachable, Err: err, Msg: fmt.Sprintf("connection lost while searching %q: %v; the read is incomplete", base, le.Err)}
		case ldapv3.ErrorFilterCompile:
			return &Problem{Kind: KindFilter, Field: "searchFilter", Err: err, Msg: fmt.Sprintf("search filter is malformed: %v", le.Err)}
		}
		return &Problem{Kind: KindDirectory, Err: err, Msg: fmt.Sprintf("search under %q failed: %s", base, describeLDAP(le))}
	}
	return &Problem{Kind: KindDirectory, Err: err, Msg: fmt.Sprintf("search under %q failed: %v", base, err)}
}

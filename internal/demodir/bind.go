package demodir

import (
	"crypto/subtle"
	"strconv"
	"strings"

	"github.com/jimlambrt/gldap"
)

// Active Directory's bind diagnostics; the "data" code is what usersync's
// error classifier reads (52e bad credentials, 533 account disabled).
const (
	diagBadCredentials = "80090308: LdapErr: DSID-0C09042A, comment: AcceptSecurityContext error, data 52e, v4563"
	diagDisabled       = "80090308: LdapErr: DSID-0C09042A, comment: AcceptSecurityContext error, data 533, v4563"
	diagUnauthBind     = "00002028: LdapErr: DSID-0C09023A, comment: unauthenticated bind (DN without password) is not allowed, data 0, v4563"
)

// uacDisabled is the ACCOUNTDISABLE bit of userAccountControl.
const uacDisabled = 0x2

// handleBind authenticates a simple bind by DN, userPrincipalName or
// CONTOSO\sAMAccountName. The service account uses the password from Start,
// every demo person uses DemoPassword. A failed bind leaves the connection
// anonymous, as RFC 4511 requires.
func (s *Server) handleBind(w *gldap.ResponseWriter, r *gldap.Request) {
	resp := r.NewBindResponse(gldap.WithResponseCode(gldap.ResultInvalidCredentials))
	defer func() { _ = w.Write(resp) }()
	m, err := r.GetSimpleBindMessage()
	if err != nil {
		resp.SetResultCode(gldap.ResultProtocolError)
		return
	}
	s.setBound(r.ConnectionID(), "")
	name, password := strings.TrimSpace(m.UserName), string(m.Password)
	switch {
	case name == "" && password == "":
		resp.SetResultCode(gldap.ResultSuccess) // anonymous: root DSE only
		return
	case password == "":
		resp.SetResultCode(gldap.ResultUnwillingToPerform)
		resp.SetDiagnosticMessage(diagUnauthBind)
		return
	}
	e := s.account(name)
	if e == nil || !s.passwordMatches(e, password) {
		resp.SetDiagnosticMessage(diagBadCredentials)
		return
	}
	if uac, _ := strconv.Atoi(first(e.get("userAccountControl"))); uac&uacDisabled != 0 {
		resp.SetDiagnosticMessage(diagDisabled)
		return
	}
	s.setBound(r.ConnectionID(), e.dn)
	resp.SetResultCode(gldap.ResultSuccess)
}

// account finds the user entry a bind name refers to, or nil.
func (s *Server) account(name string) *entry {
	if strings.Contains(name, "=") {
		if e := s.store.lookup(name); e != nil && hasValue(e.get("objectClass"), "user") {
			return e
		}
		return nil
	}
	attr, value := "userPrincipalName", name
	if domain, login, ok := strings.Cut(name, `\`); ok {
		if !strings.EqualFold(domain, NetBIOSName) && !strings.EqualFold(domain, Domain) {
			return nil
		}
		attr, value = "sAMAccountName", login
	}
	return s.store.find(func(e *entry) bool {
		return hasValue(e.get("objectClass"), "user") && hasValue(e.get(attr), value)
	})
}

// passwordMatches checks a password in constant time.
func (s *Server) passwordMatches(e *entry, password string) bool {
	want := DemoPassword
	if sameDN(e.dn, s.BindDN) {
		want = s.Password
	}
	return subtle.ConstantTimeCompare([]byte(password), []byte(want)) == 1
}

func first(vals []string) string {
	if len(vals) == 0 {
		return ""
	}
	return vals[0]
}

package ldapserve

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	ldapv3 "github.com/go-ldap/ldap/v3"
	"github.com/jimlambrt/gldap"

	"github.com/usersync/usersync/internal/password"
)

// handleBind authenticates a view's service account by simple bind. An
// anonymous bind is accepted, because clients such as ldapsearch -x send
// one before reading the root DSE and the schema (RFC 4512 section 5.1),
// but it reads no view unless the view allows anonymous reading. A name
// without a password (an unauthenticated bind, RFC 4513 section 5.1.2) is
// refused, since clients send it by mistake for a real login.
func (l *listener) handleBind(w *gldap.ResponseWriter, r *gldap.Request) {
	reply := func(code int, msg string) {
		resp := r.NewBindResponse(gldap.WithResponseCode(code))
		resp.SetDiagnosticMessage(msg)
		_ = w.Write(resp)
	}
	id := r.ConnectionID()
	// A bind, even a failed one, first makes the connection anonymous.
	l.update(id, func(s *session) { s.view, s.account = "", "" })
	m, err := r.GetSimpleBindMessage()
	if err != nil {
		reply(gldap.ResultAuthMethodNotSupported, "only simple bind is supported")
		return
	}
	pw := string(m.Password)
	switch {
	case m.UserName == "" && pw == "":
		reply(gldap.ResultSuccess, "")
		return
	case pw == "":
		reply(gldap.ResultUnwillingToPerform, "unauthenticated bind (a name without a password) is refused")
		return
	case !l.session(id).tls && !l.s.cfg.AllowPlain:
		reply(gldap.ResultConfidentialityRequired, "send StartTLS (or use LDAPS) before binding with a password")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), l.s.cfg.MaxTime)
	defer cancel()
	view, account, err := l.s.authenticate(ctx, m.UserName, pw)
	if err != nil {
		wait := l.s.binds.failed(m.UserName)
		l.s.cfg.Logger.Info("LDAP bind refused", "dn", m.UserName, "error", err, "wait", wait)
		time.Sleep(wait)
		reply(gldap.ResultInvalidCredentials, "invalid credentials")
		return
	}
	l.s.binds.succeeded(m.UserName)
	l.update(id, func(s *session) { s.view, s.account = view, account })
	reply(gldap.ResultSuccess, "")
}

var errNoAccount = errors.New("no such service account")

// dummyHash is verified when a bind names no account, so that a bind for an
// unknown account takes as long as one with a wrong password and the
// accounts cannot be discovered by timing.
var dummyHash = sync.OnceValue(func() string {
	h, err := password.Hash("usersync-no-such-account-placeholder")
	if err != nil {
		return ""
	}
	return h
})

func noAccount() error {
	_ = password.Verify(dummyHash(), "x")
	return errNoAccount
}

// authenticate finds the account a bind DN names (cn=NAME under a view's
// base DN) and checks its password.
func (s *Server) authenticate(ctx context.Context, dn, pw string) (view, account string, err error) {
	parsed, err := ldapv3.ParseDN(dn)
	if err != nil || len(parsed.RDNs) < 2 || len(parsed.RDNs[0].Attributes) != 1 ||
		!strings.EqualFold(parsed.RDNs[0].Attributes[0].Type, "cn") {
		return "", "", noAccount()
	}
	name := parsed.RDNs[0].Attributes[0].Value
	parent := &ldapv3.DN{RDNs: parsed.RDNs[1:]}
	views, err := s.cfg.Store.ListLDAPViews(ctx)
	if err != nil {
		return "", "", err
	}
	for _, v := range views {
		base, err := ldapv3.ParseDN(v.BaseDN)
		if err != nil || !base.EqualFold(parent) {
			continue
		}
		a, err := s.cfg.Store.GetLDAPAccount(ctx, v.Name, name)
		if err != nil {
			continue
		}
		if err := password.Verify(a.PasswordHash, pw); err != nil {
			return "", "", err
		}
		return v.Name, a.Name, nil
	}
	return "", "", noAccount()
}

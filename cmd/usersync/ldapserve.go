package main

import (
	"crypto/tls"
	"fmt"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/ldapserve"
)

// ldapOptions are serve's flags for the LDAP interface.
type ldapOptions struct {
	listen, startTLSListen string
	cert, key              string
	allowPlain             bool
	maxEntries             int
	maxTime                time.Duration
}

func addLDAPFlags(fs *flagSet) *ldapOptions {
	o := &ldapOptions{}
	fs.StringVar(&o.listen, "ldap-listen", "", "serve published views over LDAPS (LDAP over TLS) on this address, such as 127.0.0.1:1636")
	fs.StringVar(&o.startTLSListen, "ldap-starttls-listen", "", "serve published views over plain LDAP with StartTLS on this address, such as 127.0.0.1:1389")
	fs.StringVar(&o.cert, "ldap-tls-cert", "", "the LDAP interface's TLS certificate (PEM; default --tls-cert)")
	fs.StringVar(&o.key, "ldap-tls-key", "", "the LDAP interface's TLS private key (PEM; default --tls-key)")
	fs.BoolVar(&o.allowPlain, "ldap-allow-plain", false, "INSECURE: let clients bind and search on --ldap-starttls-listen without StartTLS, passwords in clear")
	fs.IntVar(&o.maxEntries, "ldap-max-entries", ldapserve.DefaultMaxEntries, "the most entries one LDAP search, or one page of a paged search, returns")
	fs.DurationVar(&o.maxTime, "ldap-max-time", ldapserve.DefaultMaxTime, "the longest one LDAP search may run")
	return o
}

// resolve fills the certificate from the web UI's and reports every
// problem of the LDAP flags at once.
func (o *ldapOptions) resolve(webCert, webKey string) error {
	if o.cert == "" && o.key == "" {
		o.cert, o.key = webCert, webKey
	}
	var problems []string
	if (o.cert == "") != (o.key == "") {
		problems = append(problems, "--ldap-tls-cert and --ldap-tls-key go together")
	}
	if o.listen != "" && o.cert == "" {
		problems = append(problems, "--ldap-listen serves LDAPS and needs a certificate: --ldap-tls-cert and --ldap-tls-key (or --tls-cert and --tls-key)")
	}
	if o.startTLSListen != "" && o.cert == "" && !o.allowPlain {
		problems = append(problems, "--ldap-starttls-listen needs a certificate for StartTLS, or --ldap-allow-plain to serve LDAP without TLS")
	}
	if o.maxEntries <= 0 {
		problems = append(problems, "--ldap-max-entries must be positive")
	}
	if o.maxTime <= 0 {
		problems = append(problems, "--ldap-max-time must be positive")
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", errUsage, joinProblems(problems))
	}
	return nil
}

func joinProblems(p []string) string {
	out := p[0]
	for _, s := range p[1:] {
		out += "; " + s
	}
	return out
}

// start opens the LDAP listeners, if any; stop closes them. Options built
// without the flags (nil) serve no LDAP.
func (o *ldapOptions) start(e *env, a *app.App) (stop func(), err error) {
	if o == nil || (o.listen == "" && o.startTLSListen == "") {
		return func() {}, nil
	}
	cfg := ldapserve.Config{Store: a.Store, AllowPlain: o.allowPlain, MaxEntries: o.maxEntries, MaxTime: o.maxTime, Logger: e.log}
	if o.cert != "" {
		cert, err := tls.LoadX509KeyPair(o.cert, o.key)
		if err != nil {
			return nil, fmt.Errorf("serve: LDAP certificate: %w", err)
		}
		cfg.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	srv, err := ldapserve.New(cfg)
	if err != nil {
		return nil, err
	}
	if o.listen != "" {
		if err := srv.ListenLDAPS(o.listen); err != nil {
			_ = srv.Close()
			return nil, fmt.Errorf("serve: %w", err)
		}
		fmt.Fprintf(e.stdout, "usersync LDAP interface on ldaps://%s/\n", o.listen)
	}
	if o.startTLSListen != "" {
		if err := srv.ListenPlain(o.startTLSListen); err != nil {
			_ = srv.Close()
			return nil, fmt.Errorf("serve: %w", err)
		}
		how := "StartTLS"
		if cfg.TLS == nil {
			how = "no TLS (--ldap-allow-plain)"
		}
		fmt.Fprintf(e.stdout, "usersync LDAP interface on ldap://%s/ (%s)\n", o.startTLSListen, how)
	}
	if o.allowPlain {
		e.log.Warn("the LDAP interface accepts passwords without TLS (--ldap-allow-plain)")
	}
	return func() {
		if err := srv.Close(); err != nil {
			e.log.Warn("LDAP interface stop", "error", err)
		}
	}, nil
}

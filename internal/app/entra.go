package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/directory"
	"github.com/usersync/usersync/internal/directory/msgraph"
	"github.com/usersync/usersync/internal/grouprules"
	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/store"
)

// entraHTTP is the HTTP client for sign-in and Graph: certificates are
// verified against the system roots, plus the file SSL_CERT_FILE names,
// read at each call so that a changed file needs no restart.
func entraHTTP(timeout time.Duration) (*http.Client, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if f := os.Getenv("SSL_CERT_FILE"); f != "" {
		pem, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("SSL_CERT_FILE: %w", err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("SSL_CERT_FILE %s holds no PEM certificate", f)
		}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr, Timeout: timeout}, nil
}

// entraCredential is the application's sign-in through azidentity: a client
// secret or a certificate, against the connection's cloud or its own
// sign-in host (instance discovery off then).
func entraCredential(c connection.Connection, hc *http.Client) (azcore.TokenCredential, error) {
	cred, ok := c.EntraCredential()
	if !ok {
		return nil, fmt.Errorf("%w: connection %q has no clientSecret or certificate: apply the connection with one (Certificates & secrets on the app registration)", ErrUsage, c.Name)
	}
	authority, _, custom := c.Endpoints()
	opts := azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: authority}, Transport: hc,
		Retry: policy.RetryOptions{MaxRetries: 1}}
	if cred.Certificate != "" {
		certs, key, err := azidentity.ParseCertificates([]byte(cred.Certificate), nil)
		if err != nil {
			return nil, fmt.Errorf("connection %q: certificate: %w", c.Name, err)
		}
		return azidentity.NewClientCertificateCredential(c.TenantID, c.ClientID, certs, key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: custom})
	}
	return azidentity.NewClientSecretCredential(c.TenantID, c.ClientID, cred.ClientSecret,
		&azidentity.ClientSecretCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: custom})
}

// entraToken returns functions giving Graph access tokens for c: token's
// are cached by azidentity until shortly before they expire; refresh signs
// in afresh, for a token Graph refused. Sign-in failures are explained
// (explainSignIn).
func entraToken(c connection.Connection, hc *http.Client) (token, refresh func(context.Context) (string, error), err error) {
	cred, err := entraCredential(c, hc)
	if err != nil {
		return nil, nil, err
	}
	_, graph, _ := c.Endpoints()
	opts := policy.TokenRequestOptions{Scopes: []string{graph + "/.default"}}
	get := func(ctx context.Context, cred azcore.TokenCredential) (string, error) {
		tok, err := cred.GetToken(ctx, opts)
		if err != nil {
			return "", explainSignIn(c, err)
		}
		return tok.Token, nil
	}
	token = func(ctx context.Context) (string, error) { return get(ctx, cred) }
	refresh = func(ctx context.Context) (string, error) {
		fresh, err := entraCredential(c, hc) // a new credential has an empty token cache
		if err != nil {
			return "", err
		}
		return get(ctx, fresh)
	}
	return token, refresh, nil
}

// openEntra returns a Graph reader for an Entra connection. waiting, when
// set, hears about throttling waits.
func openEntra(c connection.Connection, waiting func(time.Duration, string)) (*msgraph.Reader, error) {
	timeout := time.Duration(c.TimeoutSeconds) * time.Second
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	hc, err := entraHTTP(timeout)
	if err != nil {
		return nil, err
	}
	tok, refresh, err := entraToken(c, hc)
	if err != nil {
		return nil, err
	}
	_, graph, _ := c.Endpoints()
	cfg := msgraph.Config{GraphURL: graph, Token: tok, Refresh: refresh, HTTP: hc, IncludeGuests: c.IncludeGuests, Waiting: waiting, PageSize: min(c.PageSize, 999)}
	if c.Filter != "" {
		f, err := connection.ParseEntraFilter(c.Filter)
		if err != nil {
			return nil, fmt.Errorf("%w: connection %q: filter: %w", ErrUsage, c.Name, err)
		}
		cfg.Match = func(e *directory.Entry) bool { return f.Match(e.Values) }
	}
	return msgraph.New(cfg), nil
}

// entraJob builds the reconciler's job of an Entra connection as job does
// for LDAP: Entra's baseline and linking key (objectId), UPN identity, the
// group phase over Entra groups, and the scope's group members.
func (a *App) entraJob(ctx context.Context, c connection.Connection, r *msgraph.Reader) (reconcile.Job, error) {
	flavor := mapping.FlavorEntraID
	set := c.MappingSet()
	if set.Mappings == nil {
		set.Mappings = mapping.Baseline(flavor).Mappings
	}
	mapper, err := mapping.Compile(set)
	if err != nil {
		return reconcile.Job{}, fmt.Errorf("connection %q: %w", c.Name, err)
	}
	id, err := reconcile.IdentityFor(c)
	if err != nil {
		return reconcile.Job{}, err
	}
	job := reconcile.Job{Conn: c, Dir: r, Flavor: flavor, Mapper: mapper, LinkingKey: linkingKey(c, flavor), Identity: id}
	if c.GroupRulesOn() {
		job.Groups = grouprules.NewPhase(a.Store, r, c, flavor)
	}
	if err := scopeMembers(ctx, r, &job); err != nil {
		return reconcile.Job{}, err
	}
	return job, nil
}

// syncEntra runs one sync of an Entra connection. A throttling wait is
// shown in the run's progress: its record carries a warning while it waits.
func (a *App) syncEntra(ctx context.Context, c connection.Connection, opts SyncOptions) (*reconcile.Report, error) {
	var run store.Run
	waiting := func(d time.Duration, why string) {
		msg := fmt.Sprintf("waiting %s before asking Graph again: %s", d.Round(time.Second), why)
		a.Log.Warn("graph throttled", "connection", c.Name, "wait", d, "why", why)
		if run.ID == 0 {
			return
		}
		w := run
		w.Warnings = append(append([]string(nil), run.Warnings...), msg)
		w.DurationMs = time.Since(w.StartedAt).Milliseconds()
		if !opts.DryRun {
			_ = a.Store.UpdateRun(ctx, w)
		}
		if opts.Progress != nil {
			opts.Progress(w)
		}
	}
	r, err := openEntra(c, waiting)
	if err != nil {
		return a.failedBeforeStart(ctx, c.Name, opts, err)
	}
	if !opts.Full {
		// The groups the last run saved with its change token spare this
		// run reading every group again: it applies their delta instead.
		if saved, err := a.Store.ChangeToken(ctx, c.Name); err == nil {
			if _, tok, ok := strings.Cut(saved, " "); ok {
				r.Resume(tok)
			}
		}
	}
	job, err := a.entraJob(ctx, c, r)
	if err != nil {
		return a.failedBeforeStart(ctx, c.Name, opts, err)
	}
	job.Trigger, job.DryRun, job.Full = opts.Trigger, opts.DryRun, opts.Full
	job.Started = func(s store.Run) {
		run = s
		if opts.Started != nil {
			opts.Started(s)
		}
	}
	job.Progress = func(s store.Run) {
		run = s
		if opts.Progress != nil {
			opts.Progress(s)
		}
	}
	return a.Engine.Run(ctx, job)
}

// explainSignIn turns a failed sign-in into one line naming what to fix in
// the Entra admin center, from the AADSTS code the identity platform sent.
func explainSignIn(c connection.Connection, err error) error {
	msg := err.Error()
	for _, h := range signInHints {
		if strings.Contains(msg, h.code) {
			fix := strings.NewReplacer("{tenant}", c.TenantID, "{client}", c.ClientID).Replace(h.fix)
			return fmt.Errorf("%w: %s: %s (%s)", ErrSignIn, h.field, fix, h.code)
		}
	}
	var afe *azidentity.AuthenticationFailedError
	if errors.As(err, &afe) && afe.RawResponse != nil {
		return fmt.Errorf("%w: the sign-in endpoint answered HTTP %d: %s", ErrSignIn, afe.RawResponse.StatusCode, msg)
	}
	return fmt.Errorf("%w: %s", ErrSignIn, firstLine(msg))
}

// ErrSignIn is wrapped by every failed sign-in of an Entra connection.
var ErrSignIn = errors.New("entra sign-in failed")

// signInHints are the AADSTS codes of Microsoft's sign-in error reference
// that a misconfigured application registration causes.
var signInHints = []struct{ code, field, fix string }{
	{"AADSTS90002", "tenantId", "tenant {tenant} was not found: copy the Directory (tenant) ID from the app registration's Overview page"},
	{"AADSTS900023", "tenantId", "{tenant} is not a valid tenant: copy the Directory (tenant) ID from the app registration's Overview page"},
	{"AADSTS700016", "clientId", "no application {client} in tenant {tenant}: copy the Application (client) ID from the app registration's Overview page, or register the app in this tenant"},
	{"AADSTS7000222", "clientSecret", "the client secret has expired: add a new one under Certificates & secrets and apply the connection with it"},
	{"AADSTS7000215", "clientSecret", "the client secret is wrong: copy the secret's Value (not its Secret ID) from Certificates & secrets"},
	{"AADSTS700027", "certificate", "the certificate is not registered on the application (or its key does not match): upload the certificate under Certificates & secrets"},
	{"AADSTS700024", "certificate", "the signed assertion is outside its valid time range: check this host's clock"},
	{"AADSTS7000112", "clientId", "the application is disabled: enable it under Enterprise applications, Properties"},
	{"AADSTS500011", "graphURL", "Microsoft Graph is not known in this tenant's cloud: check cloud or graphURL"},
}

func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "-") {
			return l
		}
	}
	return s
}

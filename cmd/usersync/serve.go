package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/scimlog"
	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/web"
)

// defaultListen keeps the UI on loopback unless the operator opts in.
const defaultListen = "127.0.0.1:8080"

// serveOptions are the flags of serve (and of demo --serve).
type serveOptions struct {
	listen, cert, key string
	hosts             string
	noScheduler       bool
	sched             *schedulerOptions
	scimLogRetention  time.Duration
	ldap              *ldapOptions
	pushEvery         time.Duration
}

func addServeFlags(fs *flagSet) *serveOptions {
	o := &serveOptions{sched: addSchedulerFlags(fs, "127.0.0.1:9464"), ldap: addLDAPFlags(fs)}
	fs.BoolVar(&o.noScheduler, "no-scheduler", false, "serve the UI only: no scheduled or live runs from this process")
	fs.StringVar(&o.listen, "listen", defaultListen, "address to serve the web UI and API on")
	fs.StringVar(&o.cert, "tls-cert", "", "TLS certificate (PEM); with --tls-key serves HTTPS")
	fs.StringVar(&o.key, "tls-key", "", "TLS private key (PEM)")
	fs.StringVar(&o.hosts, "host", "", "comma-separated DNS names the UI is reached by (loopback names and IP addresses are always accepted)")
	fs.DurationVar(&o.pushEvery, "push-every", 2*time.Second, "how often SCIM push targets are sent the changes since their last push")
	fs.DurationVar(&o.scimLogRetention, "scim-log-retention", store.DefaultSCIMRequestRetention, "how long the SCIM request log keeps each request (e.g. 168h)")
	return o
}

func (o *serveOptions) check() error {
	if (o.cert == "") != (o.key == "") {
		return fmt.Errorf("%w: --tls-cert and --tls-key go together", errUsage)
	}
	if o.pushEvery <= 0 {
		return fmt.Errorf("%w: --push-every must be a positive duration, got %s", errUsage, o.pushEvery)
	}
	if o.scimLogRetention <= 0 {
		return fmt.Errorf("%w: --scim-log-retention must be a positive duration, got %s", errUsage, o.scimLogRetention)
	}
	return o.ldap.resolve(o.cert, o.key)
}

// runServe serves the admin web UI and the REST API until SIGINT or SIGTERM.
func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags("serve", e.stderr)
	o := addServeFlags(fs)
	if _, err := fs.parse(args, 0, "no arguments"); err != nil {
		return err
	}
	if err := o.check(); err != nil {
		return err
	}
	a, err := fs.open(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	return serve(ctx, e, a, o, nil)
}

// serve ensures the first-run administrator, then serves until ctx ends,
// shutting down gracefully. ready, when set, is called with the URL once
// the listener is open.
func serve(ctx context.Context, e *env, a *app.App, o *serveOptions, ready func(url string)) error {
	if _, err := a.EnsureAdmin(ctx, os.Getenv("USERSYNC_ADMIN_PASSWORD"), e.stdout); err != nil {
		return err
	}
	runCtx, stopRuns := context.WithCancel(context.WithoutCancel(ctx))
	defer stopRuns()
	// The scheduler runs schedules and live connections while the UI is up,
	// and first marks runs orphaned by a dead process as failed.
	schedDone := make(chan struct{})
	if o.noScheduler {
		close(schedDone)
	} else {
		svc, stopOps, err := startOps(ctx, e, a, o.sched, false)
		if err != nil {
			return err
		}
		defer stopOps()
		go func() {
			defer close(schedDone)
			if err := svc.Run(runCtx); err != nil && !errors.Is(err, context.Canceled) {
				e.log.Error("scheduler stopped", "error", err)
			}
		}()
	}
	// Every serve delivers webhooks; a lease per subscription keeps two
	// instances on one PostgreSQL from delivering the same one.
	hooksDone := make(chan struct{})
	go func() {
		defer close(hooksDone)
		pruned := make(chan struct{})
		go func() {
			defer close(pruned)
			a.PruneEventsEvery(runCtx, time.Hour)
		}()
		a.Deliverer().Run(runCtx, time.Second)
		<-pruned
	}()
	// Every serve pushes to SCIM targets; the target's lease keeps two
	// instances from pushing the same events at once.
	pushDone := make(chan struct{})
	go func() { defer close(pushDone); a.RunPushers(runCtx, o.pushEvery) }()
	// The SCIM request log writes until runCtx ends, then flushes.
	scimLog, scimLogDone := scimlog.New(a.Store, scimlog.Options{Retention: o.scimLogRetention, Logger: e.log}), make(chan struct{})
	go func() { scimLog.Run(runCtx); close(scimLogDone) }()
	h, err := web.New(runCtx, a, web.Options{Secure: o.cert != "", Hosts: splitList(o.hosts), SCIMMiddleware: scimLog.Handler})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	stopLDAP, err := o.ldap.start(e, a)
	if err != nil {
		return err
	}
	defer stopLDAP()
	srv := web.HTTPServer(h, web.DefaultTimeouts, runCtx)
	scheme := "http"
	if o.cert != "" {
		scheme = "https"
	}
	url := fmt.Sprintf("%s://%s/", scheme, ln.Addr())
	fmt.Fprintf(e.stdout, "usersync web UI and API on %s (OpenAPI: %sapi/openapi.json); Ctrl-C stops\n", url, url)
	if ready != nil {
		ready(url)
	}
	errc := make(chan error, 1)
	go func() {
		if o.cert != "" {
			errc <- srv.ServeTLS(ln, o.cert, o.key)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	e.log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err = srv.Shutdown(shutCtx)
	stopRuns()
	h.Wait()
	<-schedDone
	<-scimLogDone
	<-hooksDone
	<-pushDone
	if err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	fmt.Fprintln(e.stdout, "usersync stopped")
	return nil
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

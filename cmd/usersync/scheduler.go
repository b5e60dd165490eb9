package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/live"
	"github.com/usersync/usersync/internal/ops"
	"github.com/usersync/usersync/internal/schedule"
	"github.com/usersync/usersync/internal/web"
)

// schedulerOptions are the flags shared by run-scheduler and serve.
type schedulerOptions struct {
	opsListen string
	opsPublic bool
	tick      time.Duration
	retention time.Duration
	noLive    bool
}

func addSchedulerFlags(fs *flagSet, defaultOps string) *schedulerOptions {
	o := &schedulerOptions{}
	fs.StringVar(&o.opsListen, "ops-listen", defaultOps, "serve /metrics, /healthz and /readyz on this address (empty: off); a loopback address unless --ops-public")
	fs.BoolVar(&o.opsPublic, "ops-public", false, "allow --ops-listen on a non-loopback address: /metrics needs no login and names connections")
	fs.DurationVar(&o.tick, "tick", schedule.DefaultTick, "how often the store is checked for due runs")
	fs.DurationVar(&o.retention, "retention", schedule.DefaultRetention, "how long run history is kept")
	fs.BoolVar(&o.noLive, "no-live", false, "do not follow live connections")
	return o
}

// runScheduler runs the scheduler (and live mode) in the foreground until
// SIGINT or SIGTERM, optionally serving /metrics, /healthz and /readyz.
func runScheduler(ctx context.Context, e *env, args []string) error {
	fs := newFlags("run-scheduler", e.stderr)
	o := addSchedulerFlags(fs, "")
	// --listen is the older name of --ops-listen.
	fs.StringVar(&o.opsListen, "listen", "", "same as --ops-listen")
	if _, err := fs.parse(args, 0, "no arguments"); err != nil {
		return err
	}
	a, err := fs.open(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	svc, stop, err := startOps(ctx, e, a, o, true)
	if err != nil {
		return err
	}
	defer stop()
	fmt.Fprintf(e.stderr, "usersync: scheduler running as %s; stop with Ctrl-C or SIGTERM\n", a.Holder)
	return svc.Run(ctx)
}

// startOps builds the scheduler service (with live mode unless turned off)
// and serves its metrics and health checks when asked. A failure to open
// the ops listener is fatal when required, a warning otherwise (serve keeps
// the UI up even if the default metrics port is taken).
func startOps(ctx context.Context, e *env, a *app.App, o *schedulerOptions, required bool) (*schedule.Service, func(), error) {
	metrics := &ops.Metrics{Source: a.Store}
	svc := &schedule.Service{Store: a.Store, Runs: a.Runs, Tick: o.tick, Retention: o.retention, Log: e.log, MinInterval: a.MinIntervalFloor()}
	if !o.noLive {
		svc.Live = &live.Follower{App: a, Metrics: metrics, Log: e.log}
	}
	stop := func() {}
	if o.opsListen == "" {
		return svc, stop, nil
	}
	if err := checkOpsAddress(o.opsListen, o.opsPublic); err != nil {
		return nil, nil, err
	}
	ln, err := net.Listen("tcp", o.opsListen)
	if err != nil {
		if required {
			return nil, nil, fmt.Errorf("%w: --ops-listen %s: %v", errUsage, o.opsListen, err)
		}
		e.log.Warn("metrics and health checks not served", "address", o.opsListen, "error", err)
		return svc, stop, nil
	}
	mux := ops.Mux(metrics,
		ops.Check{Name: "store", Fn: func(ctx context.Context) error { _, err := a.Store.ListConnections(ctx); return err }},
		ops.Check{Name: "scheduler", Fn: func(context.Context) error {
			if !svc.Ready() {
				return errors.New("not started yet")
			}
			return nil
		}})
	srv := web.HTTPServer(mux, web.DefaultTimeouts, nil)
	go func() { _ = srv.Serve(ln) }()
	fmt.Fprintf(e.stderr, "usersync: serving /metrics, /healthz, /readyz on http://%s\n", ln.Addr())
	return svc, func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}, nil
}

// checkOpsAddress refuses a non-loopback address for the operator endpoint
// unless the operator said --ops-public: /metrics and the health checks need
// no login and name every connection, so they stay on the host by default.
// An address without a host listens on every interface.
func checkOpsAddress(addr string, public bool) error {
	if public {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%w: --ops-listen %q: %v", errUsage, addr, err)
	}
	if ip := net.ParseIP(host); (ip != nil && ip.IsLoopback()) || strings.EqualFold(host, "localhost") {
		return nil
	}
	return fmt.Errorf("%w: --ops-listen %q is not a loopback address: /metrics needs no login and names connections; listen on 127.0.0.1, or add --ops-public to expose it (behind a firewall or proxy of your own)", errUsage, addr)
}

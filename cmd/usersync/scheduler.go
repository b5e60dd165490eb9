package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/usersync/usersync/internal/live"
	"github.com/usersync/usersync/internal/ops"
	"github.com/usersync/usersync/internal/schedule"
)

// runScheduler runs the scheduler (and live mode) in the foreground until
// SIGINT or SIGTERM, optionally serving /metrics, /healthz and /readyz.
func runScheduler(ctx context.Context, e *env, args []string) error {
	fs := newFlags("run-scheduler", e.stderr)
	listen := fs.String("listen", "", "serve /metrics, /healthz and /readyz on this address (e.g. 127.0.0.1:9464)")
	tick := fs.Duration("tick", schedule.DefaultTick, "how often the store is checked for due runs")
	retention := fs.Duration("retention", schedule.DefaultRetention, "how long run history is kept")
	noLive := fs.Bool("no-live", false, "do not follow live connections")
	if _, err := fs.parse(args, 0, "no arguments"); err != nil {
		return err
	}
	a, err := fs.open(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	metrics := &ops.Metrics{Source: a.Store}
	svc := &schedule.Service{Store: a.Store, Syncer: a, Tick: *tick, Retention: *retention, Log: e.log}
	if !*noLive {
		svc.Live = &live.Follower{App: a, Metrics: metrics, Log: e.log}
	}
	if *listen != "" {
		ln, err := net.Listen("tcp", *listen)
		if err != nil {
			return fmt.Errorf("%w: --listen %s: %v", errUsage, *listen, err)
		}
		mux := ops.Mux(metrics,
			ops.Check{Name: "store", Fn: func(ctx context.Context) error { _, err := a.Store.ListConnections(ctx); return err }},
			ops.Check{Name: "scheduler", Fn: func(context.Context) error {
				if !svc.Ready() {
					return errors.New("not started yet")
				}
				return nil
			}})
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		defer func() {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(sctx)
		}()
		fmt.Fprintf(e.stderr, "usersync: serving /metrics, /healthz, /readyz on http://%s\n", ln.Addr())
	}
	fmt.Fprintf(e.stderr, "usersync: scheduler running as %s; stop with Ctrl-C or SIGTERM\n", a.Holder)
	return svc.Run(ctx)
}

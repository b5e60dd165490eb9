package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// runHealth asks a running serve's /healthz and exits non-zero unless it
// answers 200. It is the container's HEALTHCHECK: the image has no shell
// or curl, only this binary.
func runHealth(ctx context.Context, e *env, args []string) error {
	fs := newFlags("health", e.stderr)
	target := fs.String("url", "http://127.0.0.1:9464/healthz", "the address to ask (serve's --ops-listen, path /healthz or /readyz)")
	timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for the answer")
	if _, err := fs.parse(args, 0, "no arguments"); err != nil {
		return err
	}
	u, err := url.Parse(*target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: --url must be an http:// or https:// address, got %q", errUsage, *target)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: %s answered %s", u.Redacted(), resp.Status)
	}
	fmt.Fprintf(e.stdout, "%s: %s\n", u.Redacted(), resp.Status)
	return nil
}

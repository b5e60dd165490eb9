package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/demodir"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/store"
)

// runDemo starts the built-in sample directory (a small Active Directory
// served over real LDAP on loopback), syncs it into a fresh store and shows
// what happened: the same code path as a real sync.
func runDemo(ctx context.Context, e *env, args []string) error {
	fs := newFlags("demo", e.stderr)
	serveUI := fs.Bool("serve", false, "after the sync, serve the web UI and API until Ctrl-C (the default on a terminal)")
	noServe := fs.Bool("no-serve", false, "exit after the sync, even on a terminal")
	entra := fs.Bool("entra", false, "sync from a local Microsoft Graph (Entra ID) instead of the sample LDAP directory")
	o := addServeFlags(fs)
	if _, err := fs.parse(args, 0, "no arguments"); err != nil {
		return err
	}
	if err := o.check(); err != nil {
		return err
	}
	db := *fs.db
	if db == "" {
		dir, err := os.MkdirTemp("", "usersync-demo-")
		if err != nil {
			return err
		}
		db = filepath.Join(dir, "usersync.db")
	}
	if *entra {
		return runEntraDemo(ctx, e, db, !*noServe && (*serveUI || isTerminal(e.stdout)), o)
	}
	dir, err := demodir.Start(ctx)
	if err != nil {
		return fmt.Errorf("demo: start the sample directory: %w", err)
	}
	defer dir.Stop()
	fmt.Fprintf(e.stdout, "Sample directory (Active Directory flavour) listening on ldap://%s:%d, %d people\n", dir.Host, dir.Port, dir.Users())

	a, err := openDemoStore(ctx, e, db)
	if err != nil {
		return err
	}
	defer a.Close()
	if _, _, err := a.PutConnection(ctx, dir.Connection("demo")); err != nil {
		return err
	}
	rep, err := demoCheckAndSync(ctx, e, a, "demo")
	if err != nil {
		return err
	}
	outs, err := a.Store.ListOutcomes(ctx, rep.ID, store.OutcomeQuery{Action: store.ActionSkipped})
	if err != nil {
		return err
	}
	for _, o := range outs {
		printOutcome(e.stdout, o)
	}
	if err := demoUsers(ctx, e, a, db, "demo", rep.ID); err != nil {
		return err
	}
	// A person at a terminal gets the web UI; a script (output not a
	// terminal) gets a command that ends.
	if *noServe || !(*serveUI || isTerminal(e.stdout)) {
		return nil
	}
	// The sample directory keeps running while the UI is served, so that a
	// newcomer can add a connection to it by hand; its password is random
	// for this run only.
	fmt.Fprintf(e.stdout, "\nTo add a connection to the sample directory in the UI: DNS Name %s, Port %d, User name %s, Password %s, LDAP Search Path %s\n\n",
		dir.Host, dir.Port, dir.BindDN, dir.Password, dir.PeopleDN)
	return serve(ctx, e, a, o, nil)
}

// openDemoStore says where the demo's store is and opens it with the
// sample application's permission sets, groups and sites.
func openDemoStore(ctx context.Context, e *env, db string) (*app.App, error) {
	fmt.Fprintf(e.stdout, "Store: %s\n\n", displayDB(db))
	a, err := openApp(ctx, db, e.log)
	if err != nil {
		return nil, err
	}
	if err := demoEntities(ctx, a); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// demoCheckAndSync checks the demo's connection, printing each step the
// check passed, then syncs it.
func demoCheckAndSync(ctx context.Context, e *env, a *app.App, name string) (*reconcile.Report, error) {
	res, err := a.CheckConnection(ctx, name)
	if err != nil {
		return nil, err
	}
	for _, s := range res.Steps {
		fmt.Fprintln(e.stdout, "check:", s)
	}
	fmt.Fprintln(e.stdout)
	return demoSync(ctx, e, a, name)
}

// demoSync runs one sync of the demo's connection and prints its report.
func demoSync(ctx context.Context, e *env, a *app.App, name string) (*reconcile.Report, error) {
	rep, err := a.Sync(ctx, name, app.SyncOptions{Trigger: store.TriggerManual})
	if rep != nil {
		printReport(e.stdout, rep)
	}
	return rep, err
}

// demoUsers prints the users the demo synced and the commands that show
// more.
func demoUsers(ctx context.Context, e *env, a *app.App, db, name string, runID int64) error {
	fmt.Fprintln(e.stdout)
	users, err := a.Store.ListUsers(ctx, store.UserQuery{Connection: name})
	if err != nil {
		return err
	}
	if err := printUsers(e.stdout, users); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nTry: usersync users list --db %s   |   usersync runs show %d --db %s\n", displayDB(db), runID, displayDB(db))
	return nil
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// demoEntities creates the sample application's permission sets, groups and
// sites (once; a second demo on the same store finds them there).
func demoEntities(ctx context.Context, a *app.App) error {
	sets, groups, sites := demodir.AppEntities()
	for kind, names := range map[string][]string{store.KindPermissionSet: sets, store.KindGroup: groups, store.KindSite: sites} {
		for _, n := range names {
			if _, err := a.CreateEntity(ctx, kind, n); err != nil && !errors.Is(err, store.ErrConflict) {
				return err
			}
		}
	}
	return nil
}

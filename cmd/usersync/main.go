// Command usersync keeps an application's users in step with LDAP and Active
// Directory. See README.md for the commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
)

// Exit codes: what scripts can rely on.
const (
	exitOK       = 0
	exitFailed   = 1 // a run or an operation failed
	exitUsage    = 2 // bad arguments or bad input; nothing was changed
	exitHeld     = 3 // the run waits for approval (deletion guard)
	exitInternal = 4
	exitNotAdded = 5 // users add: the entry was read but not added (the reason is on standard error)
)

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

func commands() []command {
	return []command{
		{"demo", "start a sample directory, sync it into a fresh store and show the result [--serve]", runDemo},
		{"serve", "serve the web UI and the API [--listen ADDR] [--tls-cert F --tls-key F]", runServe},
		{"token", "create NAME: make an API token and print it once", runToken},
		{"scim", "token create|list|revoke --connection NAME: the bearer tokens of a SCIM connection's client", runSCIM},
		{"connection", "apply | list | show | check | configure-two | delete connections", runConnection},
		{"mapping", "test --connection NAME --user WHO [--target FIELD] [--json] 'EXPRESSION': evaluate an expression against a real directory entry", runMapping},
		{"sync", "sync NAME [--dry-run] [--full] [--json]", runSync},
		{"push", "push TARGET [--full] [--approve] [--json]: push users to a SCIM target now", runPush},
		{"users", "list [--connection NAME] [--json] | show USERID | set ID FIELD VALUE | assign|unassign USERID --permission-set|--group|--site NAME | add-local USERID [--display-name N] [--email E]", runUsers},
		{"local-user", "add USERID [--display-name N] [--email E] | list [--json] | password ID|USERID | remove ID|USERID (passwords on standard input)", runLocalUser},
		{"admin", "password [NAME]: set an administrator's password (standard input) and log out their sessions", runAdmin},
		{"auth", "check USER (password on standard input)", runAuth},
		{"cert", "add | revoke | list certificate mappings of relying parties", runCert},
		{"runs", "list | show ID | approve ID | reject ID | undo ID", runRuns},
		{"permission-set", "add NAME | list | remove NAME", entityCommand(store.KindPermissionSet, "permission-set")},
		{"group", "add NAME | list | remove NAME (application groups)", entityCommand(store.KindGroup, "group")},
		{"site", "add NAME | list | remove NAME", entityCommand(store.KindSite, "site")},
		{"view", "apply -f FILE.json | list | show NAME | delete NAME | account set|list|delete: published LDAP views and their service accounts", runView},
		{"schedule", "list | pause NAME | resume NAME | restart NAME | run NAME", runSchedule},
		{"events", "tail [--after SEQ] [--follow]: print the change feed as JSON lines", runEvents},
		{"webhook", "add NAME --url URL [--kind K] [--connection C] | list [--json] | remove ID|NAME | redeliver ID|NAME [--from SEQ]", runWebhook},
		{"key", "rotate --new-key-file F: re-seal every secret under a new key (or $USERSYNC_NEW_SECRET_KEY)", runKey},
		{"run-scheduler", "run the scheduler and live mode in the foreground [--listen ADDR]", runScheduler},
		{"backup", "FILE [--force]: a consistent copy of the SQLite store, also while serve runs", runBackup},
		{"restore", "FILE [--force]: restore a backup into a new or empty SQLite store, after checking it", runRestore},
		{"store", "copy --to TARGET: copy everything in the store (--db) into a new or empty SQLite or PostgreSQL store", runStore},
		{"health", "[--url URL]: ask a running serve's /healthz (the container's health check)", runHealth},
		{"version", "print the module version, VCS revision and time of this binary [--json] (also --version)", runVersion},
	}
}

// env is what a command may touch: its output streams and the store path.
type env struct {
	stdout, stderr io.Writer
	stdin          io.Reader
	log            *slog.Logger
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	setMemoryLimit()
	stopProfile := startProfile(os.Stderr)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stopProfile()
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	// What a command does is audited as done by the operating-system user
	// who ran it.
	ctx = app.WithActor(ctx, app.CLIActor())
	e := &env{stdout: stdout, stderr: stderr, stdin: stdin, log: newLogger(stderr)}
	slog.SetDefault(e.log)
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		return exitOK
	}
	if args[0] == "--version" || args[0] == "-version" {
		args = append([]string{"version"}, args[1:]...)
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return exitCode(stderr, c.run(ctx, e, args[1:]))
		}
	}
	fmt.Fprintf(stderr, "usersync: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: usersync COMMAND [ARGS] [--db PATH]")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-13s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nThe store is --db PATH, or $USERSYNC_DB, or ./usersync.db.")
}

// errHeld and errRunFailed carry a run's outcome to the exit code after the
// report has been printed.
var (
	errHeld      = errors.New("run held for approval")
	errRunFailed = errors.New("run failed")
)

func exitCode(stderr io.Writer, err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errHeld):
		return exitHeld
	case errors.Is(err, errRunFailed):
		return exitFailed
	case errors.Is(err, errNotAdded):
		fmt.Fprintln(stderr, "usersync:", err)
		return exitNotAdded
	case errors.Is(err, errUsage):
		// ErrUsage only classifies the error; its own word adds nothing for
		// the reader.
		fmt.Fprintln(stderr, "usersync:", strings.TrimPrefix(err.Error(), errUsage.Error()+": "))
		return exitUsage
	default:
		fmt.Fprintln(stderr, "usersync:", err)
		return exitFailed
	}
}

func newLogger(w io.Writer) *slog.Logger {
	level := slog.LevelWarn
	switch os.Getenv("USERSYNC_LOG_LEVEL") {
	case "debug":
		level = slog.LevelDebug
	case "info":
		level = slog.LevelInfo
	case "error":
		level = slog.LevelError
	}
	opts := &slog.HandlerOptions{Level: level}
	if os.Getenv("USERSYNC_LOG_FORMAT") == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

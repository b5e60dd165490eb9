package acceptance

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Exit codes the CLI documents.
const (
	exitOK       = 0
	exitFailed   = 1
	exitBadInput = 2
	exitNotAdded = 5
)

// admin is an administrator at a shell: one store, the usersync binary.
type admin struct {
	t   *testing.T
	dir string
	db  string
}

func newAdmin(t *testing.T) *admin {
	t.Helper()
	dir := t.TempDir()
	return &admin{t: t, dir: dir, db: filepath.Join(dir, "usersync.db")}
}

// stores are the two stores, for the behaviours whose code differs by store.
var stores = []struct {
	name     string
	newAdmin func(t *testing.T) *admin
}{
	{"SQLite", newAdmin},
	{"PostgreSQL", func(t *testing.T) *admin {
		a := newAdmin(t)
		a.db = postgresURL(t)
		return a
	}},
}

// run runs usersync with args and the store's --db, stdin as its input, and
// returns what it printed on standard output, standard error and its exit
// code.
func (a *admin) runIn(stdin string, args ...string) (stdout, stderr string, code int) {
	a.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, append(args, "--db", a.db)...)
	cmd.Dir = a.dir
	cmd.Env = append(os.Environ(), "USERSYNC_SECRET_KEY=", "USERSYNC_SECRET_KEY_FILE="+filepath.Join(a.dir, "usersync.key"))
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code = 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			a.t.Fatalf("usersync %s: %v", strings.Join(args, " "), err)
		}
		code = ee.ExitCode()
	}
	if testing.Verbose() {
		a.t.Logf("usersync %s → %d\n%s%s", strings.Join(args, " "), code, out.String(), errb.String())
	}
	return out.String(), errb.String(), code
}

func (a *admin) run(args ...string) (stdout, stderr string, code int) {
	a.t.Helper()
	return a.runIn("", args...)
}

// must runs a command that must succeed and returns its standard output.
func (a *admin) must(args ...string) string {
	a.t.Helper()
	out, errOut, code := a.run(args...)
	if code != exitOK {
		a.t.Fatalf("usersync %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// file writes content to a new file in the admin's directory.
func (a *admin) file(name string, content []byte) string {
	a.t.Helper()
	path := filepath.Join(a.t.TempDir(), name)
	if err := os.WriteFile(path, content, 0o600); err != nil {
		a.t.Fatal(err)
	}
	return path
}

// tryApply runs `connection apply` on doc and returns its output and code.
func (a *admin) tryApply(doc map[string]any) (string, int) {
	a.t.Helper()
	raw, err := json.Marshal(doc)
	if err != nil {
		a.t.Fatal(err)
	}
	out, errOut, code := a.run("connection", "apply", "-f", a.file("conn.json", raw))
	return out + errOut, code
}

// apply applies a connection document that must be accepted.
func (a *admin) apply(doc map[string]any) {
	a.t.Helper()
	if out, code := a.tryApply(doc); code != exitOK {
		a.t.Fatalf("connection apply: exit %d\n%s", code, out)
	}
}

// report is a run report as `sync --json` prints it.
type report struct {
	ID                   int64    `json:"runId"`
	Status               string   `json:"status"`
	Mode                 string   `json:"mode"`
	Error                string   `json:"error"`
	Warnings             []string `json:"warnings"`
	Created              int      `json:"created"`
	Updated              int      `json:"updated"`
	Deactivated          int      `json:"deactivated"`
	Deleted              int      `json:"deleted"`
	Unchanged            int      `json:"unchanged"`
	Skipped              int      `json:"skipped"`
	Failed               int      `json:"failed"`
	EntriesRead          int      `json:"entriesRead"`
	PendingDeactivations int      `json:"pendingDeactivations"`
	MembershipChanges    int      `json:"membershipChanges"`
}

// sync runs `usersync sync NAME --json` and returns its report and code.
func (a *admin) sync(name string, extra ...string) (report, int) {
	a.t.Helper()
	out, errOut, code := a.run(append([]string{"sync", name, "--json"}, extra...)...)
	var rep report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		a.t.Fatalf("sync %s printed no report (%v), exit %d:\n%s%s", name, err, code, out, errOut)
	}
	return rep, code
}

// mustSync runs a sync that must succeed.
func (a *admin) mustSync(name string, extra ...string) report {
	a.t.Helper()
	rep, code := a.sync(name, extra...)
	if code != exitOK || rep.Status != "succeeded" {
		a.t.Fatalf("sync %s %v: exit %d, %+v", name, extra, code, rep)
	}
	return rep
}

// appUser is a user as `users list --json` and `users show --json` print it.
type appUser struct {
	ID         int64             `json:"id"`
	Connection string            `json:"connection"`
	ExternalID string            `json:"externalId"`
	UserID     string            `json:"userId"`
	Status     string            `json:"status"`
	Source     string            `json:"source"`
	SuperUser  bool              `json:"superUser"`
	Fields     map[string]string `json:"fields"`
}

// users lists every user in the store.
func (a *admin) users() []appUser {
	a.t.Helper()
	var list []appUser
	if err := json.Unmarshal([]byte(a.must("users", "list", "--json")), &list); err != nil {
		a.t.Fatalf("users list --json: %v", err)
	}
	return list
}

// active returns the active users with userID (case-insensitively).
func (a *admin) active(userID string) []appUser {
	a.t.Helper()
	var found []appUser
	for _, u := range a.users() {
		if strings.EqualFold(u.UserID, userID) && u.Status == "active" {
			found = append(found, u)
		}
	}
	return found
}

// user returns the one user with userID, preferring an active one, and
// fails the test when there is none.
func (a *admin) user(userID string) appUser {
	a.t.Helper()
	var found []appUser
	for _, u := range a.users() {
		if strings.EqualFold(u.UserID, userID) {
			found = append(found, u)
		}
	}
	for _, u := range found {
		if u.Status == "active" {
			return u
		}
	}
	if len(found) == 0 {
		a.t.Fatalf("no user %q in the store", userID)
	}
	return found[0]
}

// membership is one of a user's permission sets, groups or sites.
type membership struct {
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	Source string `json:"source"`
}

// memberships returns userID's memberships as "kind:name" keys.
func (a *admin) memberships(userID string) map[string]membership {
	a.t.Helper()
	var shown struct {
		User        appUser      `json:"user"`
		Memberships []membership `json:"memberships"`
	}
	if err := json.Unmarshal([]byte(a.must("users", "show", userID, "--json")), &shown); err != nil {
		a.t.Fatalf("users show --json: %v", err)
	}
	m := make(map[string]membership)
	for _, ms := range shown.Memberships {
		m[ms.Kind+":"+ms.Name] = ms
	}
	return m
}

// outcome is one user's line in a run record.
type outcome struct {
	UserID  string `json:"userId"`
	Action  string `json:"action"`
	Reason  string `json:"reason"`
	Changes []struct {
		Field string `json:"field"`
		Old   string `json:"old"`
		New   string `json:"new"`
	} `json:"changes"`
	Warnings []string `json:"warnings"`
}

// outcomes returns a run's per-user outcomes.
func (a *admin) outcomes(runID int64) []outcome {
	a.t.Helper()
	var shown struct {
		Outcomes []outcome `json:"outcomes"`
	}
	out := a.must("runs", "show", jsonNumber(runID), "--json")
	if err := json.Unmarshal([]byte(out), &shown); err != nil {
		a.t.Fatalf("runs show --json: %v\n%s", err, out)
	}
	return shown.Outcomes
}

func jsonNumber(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// Package postgres starts a throwaway PostgreSQL cluster for a test process:
// initdb into a temporary directory, a server listening only on 127.0.0.1 on
// a free port with trust authentication and fsync off, and one database per
// test. PostgreSQL refuses to run as root, so as root the cluster runs as the
// "postgres" system user (created when missing) through runuser.
//
// A test package uses it from TestMain, so that the cluster is stopped when
// the process ends:
//
//	func TestMain(m *testing.M) { postgres.Main(m) }
//
// and asks for a database with URL(t). Without the PostgreSQL server
// binaries the test is skipped, unless USERSYNC_INTEGRATION=1 (as in CI),
// where it fails.
package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNotInstalled says the PostgreSQL server binaries were not found.
var ErrNotInstalled = errors.New("postgres: initdb, pg_ctl and postgres not found (install postgresql, or set USERSYNC_PG_BIN)")

// BinDir returns the directory holding initdb, pg_ctl and postgres:
// $USERSYNC_PG_BIN, the newest /usr/lib/postgresql/*/bin, or the PATH.
func BinDir() (string, error) {
	var dirs []string
	if d := os.Getenv("USERSYNC_PG_BIN"); d != "" {
		dirs = append(dirs, d)
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(found, func(i, j int) bool { return version(found[i]) > version(found[j]) })
	dirs = append(dirs, found...)
	if p, err := exec.LookPath("initdb"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	for _, d := range dirs {
		ok := true
		for _, b := range []string{"initdb", "pg_ctl", "postgres"} {
			if fi, err := os.Stat(filepath.Join(d, b)); err != nil || fi.IsDir() {
				ok = false
			}
		}
		if ok {
			return d, nil
		}
	}
	return "", ErrNotInstalled
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// Installed reports whether the server binaries are there.
func Installed() bool {
	_, err := BinDir()
	return err == nil
}

// Require skips or fails the test when PostgreSQL is missing.
func Require(t testing.TB) {
	t.Helper()
	if Installed() {
		return
	}
	if os.Getenv("USERSYNC_INTEGRATION") == "1" {
		t.Fatalf("%v; USERSYNC_INTEGRATION=1 requires it", ErrNotInstalled)
	}
	t.Skipf("%v (set USERSYNC_INTEGRATION=1 to make this a failure)", ErrNotInstalled)
}

// Cluster is a running throwaway server.
type Cluster struct {
	bin, dir, data string
	Port           int
	asUser         string // run the binaries as this user ("" for ourselves)
}

// Start initialises and starts a cluster in a new temporary directory.
func Start(ctx context.Context) (*Cluster, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	c := &Cluster{bin: bin}
	if os.Geteuid() == 0 {
		c.asUser = "postgres"
	}
	c.stopOrphans(ctx)
	if c.dir, err = os.MkdirTemp("", dirPrefix); err != nil {
		return nil, err
	}
	// The owner file lets a later test process stop this cluster should
	// this one die without running Main's clean-up (kill -9, a timeout).
	if err := os.WriteFile(filepath.Join(c.dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		os.RemoveAll(c.dir)
		return nil, err
	}
	c.data = filepath.Join(c.dir, "data")
	if c.asUser != "" {
		if err := c.chownToUser(); err != nil {
			os.RemoveAll(c.dir)
			return nil, err
		}
	}
	if err := c.run(ctx, "initdb", "-D", c.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		os.RemoveAll(c.dir)
		return nil, err
	}
	hba := "local all all trust\nhost all all 127.0.0.1/32 trust\n"
	if err := os.WriteFile(filepath.Join(c.data, "pg_hba.conf"), []byte(hba), 0o600); err != nil {
		os.RemoveAll(c.dir)
		return nil, err
	}
	// The port is free when we look; another process may take it before
	// the server binds, so a failed start is retried on a new one.
	for attempt := 0; ; attempt++ {
		if c.Port, err = freePort(); err != nil {
			break
		}
		opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -c port=%d -c unix_socket_directories=%s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
			c.Port, c.dir)
		err = c.run(ctx, "pg_ctl", "-D", c.data, "-l", filepath.Join(c.dir, "server.log"), "-w", "-t", "60", "-o", opts, "start")
		if err == nil || attempt == 2 {
			break
		}
	}
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
		os.RemoveAll(c.dir)
		return nil, fmt.Errorf("%w\n%s", err, log)
	}
	return c, nil
}

const (
	dirPrefix = "usersync-pg-"
	ownerFile = "owner.pid"
)

// stopOrphans stops and removes the clusters this harness started for test
// processes that no longer exist. Only directories carrying the harness's
// owner file are touched, and each server is stopped through pg_ctl on its
// own data directory.
func (c *Cluster) stopOrphans(ctx context.Context) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid == os.Getpid() || processAlive(pid) {
			continue
		}
		old := &Cluster{bin: c.bin, dir: dir, data: filepath.Join(dir, "data"), asUser: c.asUser}
		old.Stop()
	}
}

func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// chownToUser makes the temporary directory the postgres user's, creating
// that system user when it does not exist.
func (c *Cluster) chownToUser() error {
	u, err := user.Lookup(c.asUser)
	if err != nil {
		if out, err := exec.Command("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", c.asUser).CombinedOutput(); err != nil {
			return fmt.Errorf("postgres: create user %s: %v: %s", c.asUser, err, out)
		}
		if u, err = user.Lookup(c.asUser); err != nil {
			return err
		}
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return os.Chown(c.dir, uid, gid)
}

func (c *Cluster) run(ctx context.Context, name string, args ...string) error {
	path := filepath.Join(c.bin, name)
	var cmd *exec.Cmd
	if c.asUser != "" {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", c.asUser, "--", path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	cmd.Dir = c.dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("postgres: %s: %v: %s", name, err, out.Bytes())
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// URL is the address of database db on the cluster.
func (c *Cluster) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.Port, db)
}

var seq atomic.Int64

// CreateDatabase creates a new empty database and returns its URL.
func (c *Cluster) CreateDatabase(ctx context.Context) (string, error) {
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	name := fmt.Sprintf("t_%d_%d", os.Getpid(), seq.Add(1))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	return c.URL(name), nil
}

// Stop stops the server at once and removes its directory.
func (c *Cluster) Stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = c.run(ctx, "pg_ctl", "-D", c.data, "-m", "immediate", "-w", "stop")
	os.RemoveAll(c.dir)
}

// The process's shared cluster, started by the first URL call.
var (
	shared    *Cluster
	sharedErr error
	sharedMu  sync.Mutex
)

// URL returns the address of a new, empty database for the test, on a
// cluster shared by the test process (started on first use; Main stops it).
func URL(t testing.TB) string {
	t.Helper()
	Require(t)
	sharedMu.Lock()
	if shared == nil && sharedErr == nil {
		shared, sharedErr = Start(context.Background())
	}
	c, err := shared, sharedErr
	sharedMu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	url, err := c.CreateDatabase(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return url
}

// Main runs the tests and then stops the shared cluster, if one started.
func Main(m *testing.M) {
	code := m.Run()
	sharedMu.Lock()
	if shared != nil {
		shared.Stop()
	}
	sharedMu.Unlock()
	os.Exit(code)
}

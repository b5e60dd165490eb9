// Package samba starts throwaway Samba Active Directory domain controllers
// for tests of other packages.
//
// Each test process provisions one template DC (realm EXAMPLE.TEST, NetBIOS
// domain EXAMPLE, host dc1, RFC 2307 attributes, no DNS) into a directory
// under /tmp, and every Start copies it and runs "samba -i -M single" on a
// loopback address of its own (127.0.0.2, 127.0.0.3, ...), so DCs of
// packages tested in parallel do not collide on the fixed AD ports. The DC
// serves LDAP (389, StartTLS), LDAPS (636), the global catalog
// (3268/3269) and Kerberos (88/464) with a certificate signed by a CA made
// for the test process (DC.CAPEM).
//
// Samba must be installed (ci/install-samba.sh) and the tests must run as
// root: Samba binds privileged ports and the harness adds the loopback
// aliases to lo. Without Samba, Start skips the test, unless
// USERSYNC_INTEGRATION=1, where it fails: CI never skips silently.
package samba

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Names of the provisioned domain.
const (
	// Realm is the Kerberos realm and DNS domain.
	Realm = "EXAMPLE.TEST"
	// Domain is the NetBIOS domain name.
	Domain = "EXAMPLE"
	// BaseDN is the domain's naming context.
	BaseDN = "DC=example,DC=test"
	// UsersDN is the default container for users and groups.
	UsersDN = "CN=Users," + BaseDN
	// AdminDN is the Administrator's distinguished name.
	AdminDN = "CN=Administrator," + UsersDN
	// AdminUPN is the Administrator's user principal name.
	AdminUPN = "Administrator@example.test"

	hostName = "dc1"
	hostFQDN = "dc1.example.test"
)

// startTimeout bounds how long a DC may take to answer an LDAPS bind.
const startTimeout = 60 * time.Second

// Options configure StartDC.
type Options struct {
	// Users, when positive, starts the DC with that many generated users
	// (see GeneratedUser) from a template built once per process.
	Users int
}

// Timings records how long the steps of starting a DC took.
type Timings struct {
	// Template is the time to build the template this DC was copied from
	// (zero when an existing template was reused).
	Template time.Duration
	// Copy is the time to copy the template and write its configuration.
	Copy time.Duration
	// Start is the time from starting samba to a successful LDAPS bind.
	Start time.Duration
}

// DC is a running Samba AD domain controller.
type DC struct {
	// Host is the loopback IP address the DC listens on.
	Host string
	// CAPEM is the PEM certificate of the CA that signed the DC's
	// certificate: the only CA a client should trust.
	CAPEM []byte
	// BaseDN is the domain naming context, "DC=example,DC=test".
	BaseDN string
	// Realm is the Kerberos realm, "EXAMPLE.TEST".
	Realm string
	// Domain is the NetBIOS domain name, "EXAMPLE".
	Domain string
	// AdminDN and AdminUPN name the domain Administrator.
	AdminDN, AdminUPN string
	// AdminPassword is the Administrator's random password.
	AdminPassword string
	// Dir is the DC's directory (smb.conf in etc/, log in log/samba.log).
	Dir string
	// Timings says how long starting this DC took.
	Timings Timings

	lease     *lease
	dirLock   *os.File
	cmd       *exec.Cmd
	stdin     io.WriteCloser
	exited    chan struct{}
	waitErr   error
	closeOnce sync.Once
	closeErr  error
	lockOnce  sync.Once // sets the lockout policy once, see LockOut
}

// Start starts a DC for the test and stops it when the test ends. Without
// Samba installed it skips the test, or fails it when USERSYNC_INTEGRATION=1.
func Start(t testing.TB) *DC {
	t.Helper()
	return startT(t, Options{})
}

// StartWithUsers is Start with n generated users (see GeneratedUser) already
// in the directory, from a template built once per process and n.
func StartWithUsers(t testing.TB, n int) *DC {
	t.Helper()
	return startT(t, Options{Users: n})
}

func startT(t testing.TB, opts Options) *DC {
	t.Helper()
	requireSamba(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dc, err := StartDC(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := dc.Close(); err != nil {
			t.Errorf("samba: stop DC on %s: %v", dc.Host, err)
		}
	})
	return dc
}

// available is Available, replaceable by tests.
var available = Available

// requireSamba skips or fails t when Samba is missing.
// Require skips the test when Samba AD cannot run here, or fails it when
// USERSYNC_INTEGRATION=1, as Start does.
func Require(t testing.TB) {
	t.Helper()
	requireSamba(t)
}

func requireSamba(t testing.TB) {
	t.Helper()
	err := available()
	if err == nil {
		return
	}
	if os.Getenv("USERSYNC_INTEGRATION") == "1" {
		t.Fatalf("samba: USERSYNC_INTEGRATION=1 but Samba AD DC is not usable: %v", err)
		return
	}
	t.Skipf("samba: skipping (set USERSYNC_INTEGRATION=1 to fail instead): %v", err)
}

// Available reports why no DC can be started here, or nil if one can.
func Available() error {
	for _, b := range []string{"samba", "samba-tool"} {
		if _, err := lookBin(b); err != nil {
			return err
		}
	}
	if _, err := os.Stat("/usr/share/samba/setup"); err != nil {
		return fmt.Errorf("samba: provisioning data missing (package samba-ad-provision): %w", err)
	}
	return nil
}

// StartDC starts a DC that runs until Close. It is Start for code that has
// no testing.TB, such as demos; ctx bounds the start only.
func StartDC(ctx context.Context, opts Options) (*DC, error) {
	if err := Available(); err != nil {
		return nil, err
	}
	tm, fresh, err := templateFor(ctx, opts.Users)
	if err != nil {
		return nil, err
	}
	dc, err := startFrom(ctx, tm)
	if err != nil {
		return nil, err
	}
	if fresh {
		dc.Timings.Template = tm.took
	}
	return dc, nil
}

// startFrom copies tm and starts samba on the copy.
func startFrom(ctx context.Context, tm *template) (*DC, error) {
	l, err := acquireAddr()
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	dir, lock, err := tm.clone("dc", l.ip)
	if err != nil {
		l.release()
		return nil, err
	}
	dc := &DC{
		Host: l.ip, CAPEM: tm.ca.PEM, BaseDN: BaseDN, Realm: Realm, Domain: Domain,
		AdminDN: AdminDN, AdminUPN: AdminUPN, AdminPassword: tm.password,
		Dir: dir, lease: l, dirLock: lock,
	}
	dc.Timings.Copy = time.Since(t0)
	if err := dc.run(ctx); err != nil {
		return nil, errors.Join(err, dc.Close())
	}
	return dc, nil
}

// run starts samba in the foreground and waits until LDAPS accepts a bind.
func (dc *DC) run(ctx context.Context) error {
	t0 := time.Now()
	bin, err := lookBin("samba")
	if err != nil {
		return err
	}
	logf, err := os.Create(filepath.Join(dc.Dir, "log", "stdout.log"))
	if err != nil {
		return fmt.Errorf("samba: start: %w", err)
	}
	defer logf.Close()
	cmd := exec.Command(bin, "-i", "-M", "single",
		"-s", filepath.Join(dc.Dir, "etc", "smb.conf"))
	cmd.Dir = dc.Dir
	cmd.Stdout, cmd.Stderr = logf, logf
	// -i makes samba exit when stdin reaches EOF, so it needs a pipe that
	// stays open (nil stdin is /dev/null: instant exit), and it dies with
	// this process. Pdeathsig covers a SIGKILLed parent, Setpgid lets
	// Close kill anything samba forked.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return fmt.Errorf("samba: start: %w", err)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("samba: start: %w", err)
	}
	dc.cmd, dc.stdin, dc.exited = cmd, stdin, make(chan struct{})
	go func() {
		dc.waitErr = cmd.Wait()
		close(dc.exited)
	}()
	if err := dc.waitReady(ctx); err != nil {
		return err
	}
	dc.Timings.Start = time.Since(t0)
	return nil
}

// waitReady polls with an LDAPS bind until it succeeds.
func (dc *DC) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	var last error
	for {
		conn, err := dc.DialContext(ctx)
		if err == nil {
			conn.Close()
			return nil
		}
		last = err
		select {
		case <-dc.exited:
			return fmt.Errorf("samba: exited during start (%v): %w\n%s", dc.waitErr, last, dc.logTail())
		case <-ctx.Done():
			return fmt.Errorf("samba: not ready on %s: %w: %w\n%s", dc.Host, ctx.Err(), last, dc.logTail())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// logTail returns the end of samba's output, for error messages.
func (dc *DC) logTail() string {
	data, _ := os.ReadFile(filepath.Join(dc.Dir, "log", "stdout.log"))
	if len(data) > 3000 {
		data = data[len(data)-3000:]
	}
	return string(data)
}

// Close stops samba, removes the DC's directory and frees its address.
func (dc *DC) Close() error {
	dc.closeOnce.Do(func() {
		dc.closeErr = dc.stop()
		if dc.dirLock != nil {
			dc.dirLock.Close()
		}
		if err := os.RemoveAll(dc.Dir); err != nil && dc.closeErr == nil {
			dc.closeErr = fmt.Errorf("samba: remove %s: %w", dc.Dir, err)
		}
		dc.lease.release()
	})
	return dc.closeErr
}

// stop ends samba: EOF on stdin asks it to exit, SIGKILL makes sure.
func (dc *DC) stop() error {
	if dc.cmd == nil {
		return nil
	}
	dc.stdin.Close()
	select {
	case <-dc.exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-dc.cmd.Process.Pid, syscall.SIGKILL)
		<-dc.exited
	}
	// Anything samba forked (it should not, with -M single) goes too.
	_ = syscall.Kill(-dc.cmd.Process.Pid, syscall.SIGKILL)
	return nil
}

// LDAPSURL returns the DC's LDAP-over-TLS URL, ldaps://127.0.0.N:636.
func (dc *DC) LDAPSURL() string { return "ldaps://" + net.JoinHostPort(dc.Host, "636") }

// LDAPURL returns the DC's plain LDAP URL, ldap://127.0.0.N:389. Samba
// refuses simple binds on it until StartTLS (like a hardened AD).
func (dc *DC) LDAPURL() string { return "ldap://" + net.JoinHostPort(dc.Host, "389") }

// TLSConfig returns a client configuration that trusts only CAPEM and
// verifies the DC's certificate against Host.
func (dc *DC) TLSConfig() *tls.Config {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(dc.CAPEM)
	return &tls.Config{RootCAs: pool, ServerName: dc.Host, MinVersion: tls.VersionTLS12}
}

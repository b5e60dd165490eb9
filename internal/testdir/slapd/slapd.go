// Package slapd starts throwaway OpenLDAP servers for tests and benchmarks:
// a private config, data directory and loopback port each, loaded offline
// with slapadd, never the system's slapd.
package slapd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"text/template"
	"time"

	"github.com/usersync/usersync/internal/testdir/certs"
)

// Suffix and admin credentials of every test directory.
const (
	Suffix        = "dc=example,dc=com"
	AdminDN       = "cn=admin,dc=example,dc=com"
	AdminPassword = "admin-secret"
	PeopleDN      = "ou=people,dc=example,dc=com"
	GroupsDN      = "ou=groups,dc=example,dc=com"
)

// Server is a running slapd.
type Server struct {
	Dir      string
	Port     int // plain LDAP
	TLSPort  int // ldaps, certificate signed by CAPEM
	CAPEM    []byte
	confPath string
	pidPath  string
	cmd      *exec.Cmd
}

// Options says what to load into a new server.
type Options struct {
	// LDIF is loaded with slapadd before the server starts. Generate it with
	// GenerateLDIF or write your own; the base entries are always added.
	LDIF []byte
	// LDIFFile names an LDIF file loaded after LDIF. It is streamed, never
	// held in memory, so that a benchmark loading a million users stays small
	// (a child process's peak RSS includes its parent's when Go starts it).
	LDIFFile string
}

// ErrNotInstalled means slapd or slapadd is not on this machine.
var ErrNotInstalled = errors.New("slapd: slapd/slapadd not installed (apt-get install slapd ldap-utils)")

func binary(name string) (string, error) {
	for _, dir := range []string{"/usr/sbin", "/usr/local/sbin", "/usr/local/libexec", "/usr/libexec"} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return "", ErrNotInstalled
}

// Installed reports whether slapd can be started here.
func Installed() bool {
	_, err1 := binary("slapd")
	_, err2 := binary("slapadd")
	return err1 == nil && err2 == nil
}

var confTmpl = template.Must(template.New("slapd.conf").Parse(`
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload syncprov
pidfile {{.Dir}}/slapd.pid
argsfile {{.Dir}}/slapd.args
sizelimit unlimited
TLSCACertificateFile {{.CA}}
TLSCertificateFile {{.Cert}}
TLSCertificateKeyFile {{.Key}}

database mdb
maxsize 4294967296
suffix "{{.Suffix}}"
rootdn "{{.AdminDN}}"
rootpw {{.AdminPassword}}
directory {{.Dir}}/data
dbnosync
envflags writemap nometasync
index objectClass eq
index entryCSN,entryUUID eq
index uid,mail eq
limits dn.exact="{{.AdminDN}}" size=unlimited time=unlimited
overlay syncprov
syncprov-checkpoint 100 10
syncprov-sessionlog 10000
`))

// New creates a server in dir (a fresh temporary directory), loads opts.LDIF
// and starts it on free loopback ports.
func New(ctx context.Context, dir string, opts Options) (*Server, error) {
	slapd, err := binary("slapd")
	if err != nil {
		return nil, err
	}
	slapadd, err := binary("slapadd")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o700); err != nil {
		return nil, err
	}
	pair, err := certs.New("usersync test CA", []string{"directory.example.test"}, []net.IP{net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, err
	}
	ca, cert, key, err := pair.WriteFiles(dir)
	if err != nil {
		return nil, err
	}
	s := &Server{Dir: dir, CAPEM: pair.CAPEM, confPath: filepath.Join(dir, "slapd.conf"), pidPath: filepath.Join(dir, "slapd.pid")}
	var conf bytes.Buffer
	if err := confTmpl.Execute(&conf, map[string]string{"Dir": dir, "CA": ca, "Cert": cert, "Key": key,
		"Suffix": Suffix, "AdminDN": AdminDN, "AdminPassword": AdminPassword}); err != nil {
		return nil, err
	}
	if err := os.WriteFile(s.confPath, conf.Bytes(), 0o600); err != nil {
		return nil, err
	}
	ldifPath := filepath.Join(dir, "load.ldif")
	if err := writeLoadLDIF(ldifPath, opts); err != nil {
		return nil, err
	}
	if out, err := exec.CommandContext(ctx, slapadd, "-q", "-w", "-f", s.confPath, "-b", Suffix, "-l", ldifPath).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("slapd: slapadd: %w: %s", err, out)
	}
	os.Remove(ldifPath)
	if s.Port, err = freePort(); err != nil {
		return nil, err
	}
	if s.TLSPort, err = freePort(); err != nil {
		return nil, err
	}
	return s, s.start(ctx, slapd)
}

// writeLoadLDIF writes the base entries, opts.LDIF and opts.LDIFFile into
// one file for slapadd.
func writeLoadLDIF(path string, opts Options) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Write(append(BaseLDIF(), opts.LDIF...)); err != nil {
		return err
	}
	if opts.LDIFFile != "" {
		src, err := os.Open(opts.LDIFFile)
		if err != nil {
			return err
		}
		defer src.Close()
		if _, err := io.Copy(f, src); err != nil {
			return fmt.Errorf("slapd: copy %s: %w", opts.LDIFFile, err)
		}
	}
	return f.Close()
}

func (s *Server) urls() string {
	return fmt.Sprintf("ldap://127.0.0.1:%d/ ldaps://127.0.0.1:%d/", s.Port, s.TLSPort)
}

func (s *Server) start(ctx context.Context, slapd string) error {
	// -d 0 keeps slapd in the foreground, so it is our child and dies with
	// the test rather than outliving it as a daemon.
	s.cmd = exec.Command(slapd, "-f", s.confPath, "-h", s.urls(), "-d", "0")
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var stderr bytes.Buffer
	s.cmd.Stderr = &stderr
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("slapd: start: %w", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if err := ctx.Err(); err != nil {
			s.Stop()
			return err
		}
		c, err := net.DialTimeout("tcp", s.Addr(), 100*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.Stop()
	return fmt.Errorf("slapd: did not start listening on %s: %s", s.Addr(), stderr.String())
}

// Addr is the plain LDAP address, 127.0.0.1:port.
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.Port) }

// URL is the plain LDAP URL.
func (s *Server) URL() string { return "ldap://" + s.Addr() }

// Stop kills the server; its data stays so Restart can bring it back.
func (s *Server) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			s.cmd.Process.Kill()
			<-done
		}
		s.cmd = nil
	}
}

// Restart starts a stopped server again on the same ports.
func (s *Server) Restart(ctx context.Context) error {
	slapd, err := binary("slapd")
	if err != nil {
		return err
	}
	return s.start(ctx, slapd)
}

// Close stops the server and removes its directory.
func (s *Server) Close() error {
	s.Stop()
	return os.RemoveAll(s.Dir)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// BaseLDIF is the suffix entry and the people and groups containers.
func BaseLDIF() []byte {
	return []byte(strings.TrimLeft(`
dn: dc=example,dc=com
objectClass: dcObject
objectClass: organization
dc: example
o: Example

dn: ou=people,dc=example,dc=com
objectClass: organizationalUnit
ou: people

dn: ou=groups,dc=example,dc=com
objectClass: organizationalUnit
ou: groups

`, "\n"))
}

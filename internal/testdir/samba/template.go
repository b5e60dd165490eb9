package samba

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/usersync/usersync/internal/testdir/certs"
)

// Templates. Provisioning a domain takes seconds, so each process provisions
// one stopped template DC (sync.Once) and every DC is a "cp -a" copy of it
// with the paths in smb.conf rewritten. Templates that hold generated users
// (see StartWithUsers) are built from the base template once per user count.
//
// Every directory the harness creates is named /tmp/usersync-samba-* and
// holds owner.lock, flocked by the creating process for as long as it lives.
// A later process removes directories whose owner is gone, so a test binary
// killed before its cleanups ran leaks nothing for long.

// template is a provisioned, stopped DC directory.
type template struct {
	dir      string
	password string // Administrator's password
	ca       *certs.CA
	lock     *os.File
	took     time.Duration // time to build it
}

var (
	baseOnce sync.Once
	baseTmpl *template
	baseErr  error
)

// baseTemplate provisions the process's template DC on first use and
// reports whether this call did it.
func baseTemplate(ctx context.Context) (tm *template, built bool, err error) {
	baseOnce.Do(func() {
		baseTmpl, baseErr = provision(ctx)
		built = baseErr == nil
	})
	return baseTmpl, built, baseErr
}

// provision runs samba-tool domain provision into a new directory and
// rewrites its smb.conf for the harness.
func provision(ctx context.Context) (*template, error) {
	start := time.Now()
	reapStale()
	dir, lock, err := newDir("tmpl")
	if err != nil {
		return nil, err
	}
	tm := &template{dir: dir, lock: lock}
	fail := func(err error) (*template, error) {
		tm.remove()
		return nil, err
	}
	tm.password, err = randomPassword()
	if err != nil {
		return fail(err)
	}
	if tm.ca, err = certs.NewCA("usersync test CA"); err != nil {
		return fail(err)
	}
	conf := filepath.Join(dir, "etc", "smb.conf")
	if err := os.MkdirAll(filepath.Dir(conf), 0o755); err != nil {
		return fail(fmt.Errorf("samba: provision: %w", err))
	}
	// An empty seed: otherwise the machine's /etc/samba/smb.conf leaks in.
	if err := os.WriteFile(conf, nil, 0o644); err != nil {
		return fail(fmt.Errorf("samba: provision: %w", err))
	}
	tool, err := lookBin("samba-tool")
	if err != nil {
		return fail(err)
	}
	// --dns-backend=NONE: the internal DNS backend would write a forwarder
	// taken from the machine's resolver, which must never get traffic.
	cmd := exec.CommandContext(ctx, tool, "domain", "provision", "-q",
		"-s", conf, "--targetdir="+dir,
		"--realm="+Realm, "--domain="+Domain, "--adminpass="+tm.password,
		"--server-role=dc", "--dns-backend=NONE", "--use-rfc2307",
		"--host-name="+hostName, "--host-ip=127.0.0.1")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fail(fmt.Errorf("samba: provision: %w\n%s", err, out))
	}
	if err := tm.rewriteConf(dir, "127.0.0.1"); err != nil {
		return fail(err)
	}
	tm.took = time.Since(start)
	return tm, nil
}

// rewriteConf makes dir/etc/smb.conf describe a DC living in dir and
// listening on ip: paths from the template are replaced with dir, and the
// settings the harness manages are rewritten in [global].
func (tm *template) rewriteConf(dir, ip string) error {
	path := filepath.Join(dir, "etc", "smb.conf")
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("samba: read smb.conf: %w", err)
	}
	text := string(data)
	if dir != tm.dir {
		text = strings.ReplaceAll(text, tm.dir, dir)
	}
	text = configure(text, dir, ip)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return fmt.Errorf("samba: write smb.conf: %w", err)
	}
	for _, d := range []string{"run", "log", "lock"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return fmt.Errorf("samba: mkdir: %w", err)
		}
	}
	return nil
}

// managed lists the [global] keys configure owns; provision's values for
// them (server services in particular) are dropped.
var managed = map[string]bool{
	"server services": true, "interfaces": true, "bind interfaces only": true,
	"tls enabled": true, "tls keyfile": true, "tls certfile": true, "tls cafile": true,
	"pid directory": true, "ncalrpc dir": true, "winbindd socket directory": true,
	"lock directory": true, "state directory": true, "cache directory": true,
	"private dir": true, "binddns dir": true, "log file": true, "log level": true,
	"max log size": true, "ldb:nosync": true,
}

// configure rewrites the managed [global] settings of an smb.conf text.
func configure(text, dir, ip string) string {
	var out []string
	section := ""
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "[") {
			section = strings.ToLower(trimmed)
			out = append(out, line)
			if section == "[global]" {
				out = append(out, globals(dir, ip)...)
			}
			continue
		}
		if section == "[global]" {
			key, _, ok := strings.Cut(trimmed, "=")
			if ok && managed[strings.ToLower(strings.TrimSpace(key))] {
				continue
			}
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n") + "\n"
}

func globals(dir, ip string) []string {
	p := func(elem ...string) string { return filepath.Join(append([]string{dir}, elem...)...) }
	kv := [][2]string{
		// Only what an LDAP directory needs: no smbd, no RPC, no DNS,
		// no dnsupdate (which would try to reach a DNS server).
		{"server services", "ldap, cldap, kdc"},
		{"interfaces", ip},
		{"bind interfaces only", "yes"},
		{"tls enabled", "yes"},
		{"tls keyfile", p("etc", "tls", "key.pem")},
		{"tls certfile", p("etc", "tls", "cert.pem")},
		{"tls cafile", p("etc", "tls", "ca.pem")},
		{"pid directory", p("run")},
		{"ncalrpc dir", p("run", "ncalrpc")},
		{"winbindd socket directory", p("run", "winbindd")},
		{"lock directory", p("lock")},
		{"state directory", p("state")},
		{"cache directory", p("cache")},
		{"private dir", p("private")},
		{"binddns dir", p("bind-dns")},
		{"log file", p("log", "samba.log")},
		{"log level", "1"},
		{"max log size", "0"},
		// No fsync per transaction: a test DC need not survive a crash,
		// and adds are much faster without it.
		{"ldb:nosync", "true"},
	}
	lines := make([]string, len(kv))
	for i, e := range kv {
		lines[i] = "\t" + e[0] + " = " + e[1]
	}
	return lines
}

// clone copies the stopped template into a new directory (named for kind,
// "dc" or "tmpl") for a DC on ip.
func (tm *template) clone(kind, ip string) (dir string, lock *os.File, err error) {
	dir, lock, err = newDir(kind)
	if err != nil {
		return "", nil, err
	}
	// "src/." copies the contents, owner.lock included; ours replaces it.
	out, err := exec.Command("cp", "-a", "--reflink=auto", tm.dir+"/.", dir).CombinedOutput()
	if err == nil {
		err = tm.rewriteConf(dir, ip)
	} else {
		err = fmt.Errorf("samba: cp -a: %w: %s", err, out)
	}
	if err == nil {
		err = writeServerCert(tm.ca, filepath.Join(dir, "etc", "tls"), ip)
	}
	if err != nil {
		lock.Close()
		os.RemoveAll(dir)
		return "", nil, err
	}
	return dir, lock, nil
}

func (tm *template) remove() {
	if tm.lock != nil {
		tm.lock.Close()
	}
	os.RemoveAll(tm.dir)
}

// tmpRoot is where the harness puts its directories. Unix socket paths
// (ncalrpc, ldapi, messaging) must stay under 108 bytes, so a long TMPDIR
// (t.TempDir() is long) is not used.
func tmpRoot() string {
	if d := os.TempDir(); len(d) <= 32 {
		return d
	}
	return "/tmp"
}

const dirPrefix = "usersync-samba-"

// newDir creates a directory for a template or DC and locks its owner.lock.
func newDir(kind string) (string, *os.File, error) {
	dir, err := os.MkdirTemp(tmpRoot(), dirPrefix+kind+"-")
	if err != nil {
		return "", nil, fmt.Errorf("samba: temp dir: %w", err)
	}
	f, ok, err := tryLock(filepath.Join(dir, "owner.lock"), false)
	if err == nil && !ok {
		err = fmt.Errorf("samba: %s: owner.lock already held", dir)
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	return dir, f, nil
}

// reapStale removes harness directories left by processes that died. A
// directory younger than a minute is left alone: its creator may not have
// locked it yet.
func reapStale() {
	locks, _ := filepath.Glob(filepath.Join(tmpRoot(), dirPrefix+"*", "owner.lock"))
	for _, lp := range locks {
		fi, err := os.Stat(lp)
		if err != nil || time.Since(fi.ModTime()) < time.Minute {
			continue
		}
		f, ok, err := tryLock(lp, false)
		if err != nil || !ok {
			continue
		}
		os.RemoveAll(filepath.Dir(lp))
		f.Close()
	}
}

// randomPassword returns a password that meets AD's complexity rules.
func randomPassword() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("samba: password: %w", err)
	}
	return "Aa1-" + hex.EncodeToString(b), nil
}

// lookBin finds a Samba program; /usr/sbin is often not on a user's PATH.
func lookBin(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, d := range []string{"/usr/sbin", "/usr/bin", "/usr/local/samba/sbin", "/usr/local/samba/bin"} {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("samba: %s not found (install with ci/install-samba.sh): %w", name, exec.ErrNotFound)
}

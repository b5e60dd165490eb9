package samba

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

// Address allocation.
//
// A DC's ports are fixed (LDAP 389/636, global catalog 3268/3269, Kerberos
// 88/464), so every DC running on the machine gets its own loopback address
// 127.0.0.N (N = 2..254). Linux routes all of 127.0.0.0/8 to lo, but Samba
// only listens on addresses it finds on an interface: "interfaces =
// 127.0.0.N" is ignored ("interpret_interface: can't determine interface")
// unless 127.0.0.N is configured on lo. So the allocator adds the address to
// lo with "ip addr add 127.0.0.N/8 dev lo" (root or CAP_NET_ADMIN needed) and
// removes it again when the DC stops.
//
// N is claimed across processes with an flock on /tmp/usersync-samba-addr/
// 127.0.0.N.lock, held for the life of the DC; the kernel releases it if the
// process dies. If aliases cannot be added, the allocator falls back to
// 127.0.0.1 under the same kind of lock: then only one DC runs at a time on
// the machine and the others wait.

const lockDir = "/tmp/usersync-samba-addr"

// lease is a claimed loopback address.
type lease struct {
	ip      string
	lock    *os.File
	aliased bool // we added ip to lo and must remove it
}

// errNoAlias reports that loopback aliases cannot be added here.
var errNoAlias = errors.New("samba: cannot add loopback alias")

// acquireAddr claims a free loopback address, preferring 127.0.0.2 upwards.
func acquireAddr() (*lease, error) {
	if err := os.MkdirAll(lockDir, 0o1777); err != nil {
		return nil, fmt.Errorf("samba: address lock dir: %w", err)
	}
	for n := 2; n <= 254; n++ {
		ip := fmt.Sprintf("127.0.0.%d", n)
		f, ok, err := tryLock(filepath.Join(lockDir, ip+".lock"), false)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		l := &lease{ip: ip, lock: f}
		if !hasAddr(ip) {
			if err := addAlias(ip); err != nil {
				l.release()
				return acquireFallback(err)
			}
			l.aliased = true
		}
		// A Samba left over from a killed process may still hold the
		// ports; skip the address rather than fail later with a
		// confusing startup timeout.
		if !portsFree(ip) {
			l.release()
			continue
		}
		return l, nil
	}
	return nil, errors.New("samba: no free loopback address in 127.0.0.2-254")
}

// acquireFallback serialises all DCs on 127.0.0.1 when aliases are not possible.
func acquireFallback(cause error) (*lease, error) {
	f, _, err := tryLock(filepath.Join(lockDir, "127.0.0.1.lock"), true)
	if err != nil {
		return nil, fmt.Errorf("samba: fallback lock after %v: %w", cause, err)
	}
	return &lease{ip: "127.0.0.1", lock: f}, nil
}

// tryLock opens path and takes an exclusive flock on it, waiting if block.
func tryLock(path string, block bool) (*os.File, bool, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return nil, false, fmt.Errorf("samba: lock %s: %w", path, err)
	}
	how := syscall.LOCK_EX
	if !block {
		how |= syscall.LOCK_NB
	}
	for {
		err = syscall.Flock(int(f.Fd()), how)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("samba: flock %s: %w", path, err)
	}
	return f, true, nil
}

// hasAddr reports whether ip is configured on some interface.
func hasAddr(ip string) bool {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.String() == ip {
			return true
		}
	}
	return false
}

func addAlias(ip string) error {
	out, err := exec.Command("ip", "addr", "add", ip+"/8", "dev", "lo").CombinedOutput()
	if err != nil && !strings.Contains(string(out), "File exists") {
		return fmt.Errorf("%w: ip addr add %s: %v: %s", errNoAlias, ip, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// portsFree reports whether the LDAP ports on ip can be bound, which tells a
// leftover server apart from a free address.
func portsFree(ip string) bool {
	for _, port := range []string{"389", "636"} {
		l, err := net.Listen("tcp", net.JoinHostPort(ip, port))
		if errors.Is(err, syscall.EACCES) {
			return true // not root: cannot tell, let samba try
		}
		if err != nil {
			return false
		}
		l.Close()
	}
	return true
}

// release removes the alias (while still holding the lock, so that no other
// process can have claimed the address) and then drops the lock.
func (l *lease) release() {
	if l == nil || l.lock == nil {
		return
	}
	if l.aliased {
		_ = exec.Command("ip", "addr", "del", l.ip+"/8", "dev", "lo").Run()
		l.aliased = false
	}
	l.lock.Close()
	l.lock = nil
}

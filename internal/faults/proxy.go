// Package faults is a loopback TCP proxy that injects network faults into
// the traffic between usersync and a directory server, for reliability tests.
//
// The proxy forwards bytes unchanged, so it works for plain LDAP and LDAPS
// alike. It counts the bytes the server sends back to the client; once a
// fault is armed, the first server-to-client chunk that would take the count
// past the armed threshold triggers the fault instead of being delivered.
package faults

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
)

// Action is what the proxy does when an armed fault triggers.
type Action int

const (
	// Cut closes every proxied connection cleanly (FIN): the server seems to
	// have hung up in the middle of a response.
	Cut Action = iota + 1
	// Reset closes every proxied connection with a TCP reset (RST).
	Reset
	// Stall stops forwarding server data and holds the connections open:
	// a page that never arrives.
	Stall
	// Down closes every proxied connection and refuses new ones until
	// Disarm: the directory host is gone.
	Down
	// Hook delivers the armed number of bytes, calls the armed function
	// (e.g. one that kills the server) and closes every connection: the
	// server dies having sent exactly that much.
	Hook
	// Notify calls the armed function and goes on forwarding: something
	// else goes wrong (the store, say) at that point of the read.
	Notify
)

func (a Action) String() string {
	switch a {
	case Cut:
		return "cut"
	case Reset:
		return "reset"
	case Stall:
		return "stall"
	case Down:
		return "down"
	case Hook:
		return "hook"
	case Notify:
		return "notify"
	}
	return fmt.Sprintf("action(%d)", int(a))
}

// Proxy listens on a loopback address and forwards to a target address.
type Proxy struct {
	ln     net.Listener
	target string

	mu      sync.Mutex
	conns   map[net.Conn]struct{}
	action  Action
	after   int64  // counted server bytes after which the armed action triggers
	counted int64  // server bytes of the connections the fault applies to
	gen     uint64 // connections accepted so far
	minGen  uint64 // the fault applies to connections numbered from minGen on
	hook    func()
	fired   bool
	down    bool
	release chan struct{} // closed by Disarm to free stalled copies

	served atomic.Int64 // server-to-client bytes since the last Arm or Disarm
	closed atomic.Bool
}

// Listen starts a proxy on listenHost (an IP address on loopback, port
// chosen by the system) in front of target.
func Listen(listenHost, target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(listenHost, "0"))
	if err != nil {
		return nil, fmt.Errorf("faults: listen on %s: %w", listenHost, err)
	}
	p := &Proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}, release: make(chan struct{})}
	go p.accept()
	return p, nil
}

// Port is the proxy's listening port.
func (p *Proxy) Port() int { return p.ln.Addr().(*net.TCPAddr).Port }

// Addr is the proxy's listening address.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Served is how many bytes the server sent to clients since the last Arm or
// Disarm. A clean run measured this way tells a test how long a read is.
func (p *Proxy) Served() int64 { return p.served.Load() }

// Fired reports whether the armed fault has triggered.
func (p *Proxy) Fired() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fired
}

// Arm makes the proxy do action once the server has sent after more bytes.
// hook is called for Hook and ignored otherwise.
func (p *Proxy) Arm(action Action, after int64, hook func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.action, p.after, p.hook, p.fired, p.counted, p.minGen = action, after, hook, false, 0, 0
	p.served.Store(0)
}

// ArmNew is Arm for connections opened from now on only: a long-lived
// connection already open (a live follower's, say) is left alone.
func (p *Proxy) ArmNew(action Action, after int64, hook func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.action, p.after, p.hook, p.fired, p.counted, p.minGen = action, after, hook, false, 0, p.gen+1
	p.served.Store(0)
}

// Disarm removes the fault: stalled connections are closed, new connections
// are accepted again, and the byte count restarts.
func (p *Proxy) Disarm() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.action, p.hook, p.fired, p.down, p.counted, p.minGen = 0, nil, false, false, 0, 0
	close(p.release)
	p.release = make(chan struct{})
	p.served.Store(0)
}

// Close stops the proxy and closes every connection.
func (p *Proxy) Close() error {
	p.closed.Store(true)
	err := p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		_ = c.Close()
	}
	close(p.release)
	p.release = make(chan struct{})
	return err
}

func (p *Proxy) accept() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			if p.closed.Load() || errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			abort(client)
			continue
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			abort(client)
			continue
		}
		gen := p.track(client, server)
		go p.pipe(server, client, false, gen)
		go p.pipe(client, server, true, gen)
	}
}

// track registers a new connection's two sockets and returns its number.
func (p *Proxy) track(cs ...net.Conn) uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		p.conns[c] = struct{}{}
	}
	p.gen++
	return p.gen
}

func (p *Proxy) untrack(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		delete(p.conns, c)
		_ = c.Close()
	}
}

// pipe copies src to dst; fromServer marks the direction that is counted
// and faulted.
func (p *Proxy) pipe(dst, src net.Conn, fromServer bool, gen uint64) {
	defer p.untrack(dst, src)
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			if fromServer {
				if !p.serverChunk(dst, chunk, gen) {
					return
				}
			} else if _, werr := dst.Write(chunk); werr != nil {
				return
			}
		}
		if err != nil {
			if tcp, ok := dst.(*net.TCPConn); ok && errors.Is(err, io.EOF) {
				_ = tcp.CloseWrite()
			}
			return
		}
	}
}

// serverChunk counts a chunk from the server, applies an armed fault to it
// and delivers what the fault lets through to dst. It reports whether the
// copy may go on.
func (p *Proxy) serverChunk(dst net.Conn, chunk []byte, gen uint64) bool {
	p.mu.Lock()
	p.served.Add(int64(len(chunk)))
	if gen < p.minGen {
		p.mu.Unlock()
		_, err := dst.Write(chunk)
		return err == nil
	}
	before := p.counted
	p.counted += int64(len(chunk))
	if p.action == 0 || p.fired || p.counted <= p.after {
		p.mu.Unlock()
		_, err := dst.Write(chunk)
		return err == nil
	}
	p.fired = true
	action, hook, release := p.action, p.hook, p.release
	deliver := chunk[:max(0, p.after-before)]
	if action == Down {
		p.down = true
	}
	p.mu.Unlock()

	switch action {
	case Notify:
		hook()
		_, err := dst.Write(chunk)
		return err == nil
	case Hook:
		_, _ = dst.Write(deliver)
		hook()
		p.killAll(false)
		return false
	case Stall:
		_, _ = dst.Write(deliver)
		<-release
		return false
	default:
		_, _ = dst.Write(deliver)
		p.killAll(action == Reset)
		return false
	}
}

// killAll closes every connection, with a reset when rst is set.
func (p *Proxy) killAll(rst bool) {
	p.mu.Lock()
	conns := make([]net.Conn, 0, len(p.conns))
	for c := range p.conns {
		conns = append(conns, c)
	}
	p.mu.Unlock()
	for _, c := range conns {
		if rst {
			abort(c)
		} else {
			_ = c.Close()
		}
	}
}

// abort closes c with a TCP reset.
func abort(c net.Conn) {
	if tcp, ok := c.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = c.Close()
}

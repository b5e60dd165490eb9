package ldap

import (
	"errors"
	"net"
	"sync"
	"time"
)

// handoffConn sits between go-ldap and the socket so that a bulk search can
// borrow the bound connection: go-ldap keeps doing what it does well (TLS,
// bind, StartTLS, the root DSE, every other operation) and the fast search
// reads its responses straight from the socket (see ber.go for why).
//
// go-ldap runs a goroutine that is always blocked reading the socket. To
// borrow it, detach parks that goroutine: it sets the detached flag, then a
// read deadline in the past to wake a read already in progress; the wrapper
// swallows that timeout (recognised by the generation counter) and waits
// inside Read until reattach. No byte is lost: after a response the server
// sends nothing until asked, so the interrupted read had read nothing.
type handoffConn struct {
	net.Conn

	mu       sync.Mutex
	cond     *sync.Cond
	detached bool
	closed   bool
	gen      uint64        // bumped by detach, to recognise its timeout
	parked   chan struct{} // signalled when go-ldap's reader waits in Read
	pending  []byte        // bytes the fast search read ahead, for go-ldap
}

func newHandoffConn(c net.Conn) *handoffConn {
	h := &handoffConn{Conn: c, parked: make(chan struct{}, 1)}
	h.cond = sync.NewCond(&h.mu)
	return h
}

// Read is go-ldap's view of the socket.
func (h *handoffConn) Read(p []byte) (int, error) {
	for {
		h.mu.Lock()
		for h.detached && !h.closed {
			select {
			case h.parked <- struct{}{}:
			default:
			}
			h.cond.Wait()
		}
		if h.closed {
			h.mu.Unlock()
			return 0, net.ErrClosed
		}
		if len(h.pending) > 0 {
			n := copy(p, h.pending)
			h.pending = h.pending[n:]
			h.mu.Unlock()
			return n, nil
		}
		gen := h.gen
		h.mu.Unlock()
		n, err := h.Conn.Read(p)
		if n == 0 && err != nil && isTimeout(err) {
			h.mu.Lock()
			stolen := h.gen != gen
			h.mu.Unlock()
			if stolen {
				continue // woken by detach: wait for reattach
			}
		}
		return n, err
	}
}

// errNotParked means go-ldap's reader did not come to rest: its connection
// is probably closed.
var errNotParked = errors.New("the connection's reader did not stop; it may be closed")

// detach takes the socket's read side away from go-ldap. The caller must
// have no go-ldap operation in flight.
func (h *handoffConn) detach() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return net.ErrClosed
	}
	select { // drop a stale signal from an earlier detach
	case <-h.parked:
	default:
	}
	h.detached = true
	h.gen++
	h.mu.Unlock()
	if err := h.Conn.SetReadDeadline(time.Unix(1, 0)); err != nil {
		return err
	}
	select {
	case <-h.parked:
	case <-time.After(5 * time.Second):
		return errNotParked
	}
	return h.Conn.SetReadDeadline(time.Time{})
}

// reattach gives the read side back to go-ldap, with any bytes the fast
// search read past its last response.
func (h *handoffConn) reattach(leftover []byte) {
	h.mu.Lock()
	h.detached = false
	h.pending = append([]byte(nil), leftover...)
	h.cond.Broadcast()
	h.mu.Unlock()
}

// Close closes the socket and releases a parked reader.
func (h *handoffConn) Close() error {
	h.mu.Lock()
	h.closed = true
	h.cond.Broadcast()
	h.mu.Unlock()
	return h.Conn.Close()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

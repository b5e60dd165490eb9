package faults

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

// talker is a server that answers every connection with 1000 bytes and
// keeps it open.
func talker(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = c.Write(bytes.Repeat([]byte("x"), 1000))
				_, _ = io.Copy(io.Discard, c)
			}()
		}
	}()
	return ln.Addr().String()
}

// read reads from the proxy until an error or 1000 bytes.
func read(t *testing.T, p *Proxy) (int, error) {
	t.Helper()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		// A reset may come before connect returns: the fault fired on
		// the server's first bytes.
		return 0, err
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	var buf bytes.Buffer
	_, err = io.CopyN(&buf, c, 1000)
	return buf.Len(), err
}

func TestProxyFaults(t *testing.T) {
	for _, tc := range []struct {
		action Action
		want   int
		isErr  func(error) bool
	}{
		{0, 1000, func(err error) bool { return err == nil }},
		{Cut, 400, func(err error) bool { return errors.Is(err, io.EOF) }},
		{Reset, 400, func(err error) bool { return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) }},
		{Stall, 400, func(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }},
		{Down, 400, func(err error) bool { return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) }},
	} {
		t.Run(tc.action.String(), func(t *testing.T) {
			p, err := Listen("127.0.0.1", talker(t))
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			if tc.action != 0 {
				p.Arm(tc.action, 400, nil)
			}
			n, err := read(t, p)
			if !tc.isErr(err) {
				t.Fatalf("read error %v", err)
			}
			// A reset may discard bytes the client had not read yet.
			reset := tc.action == Reset || tc.action == Down
			if n != tc.want && !(reset && n <= tc.want) {
				t.Fatalf("read %d bytes, want %d", n, tc.want)
			}
			if tc.action == Down {
				if n, err := read(t, p); n != 0 || err == nil {
					t.Fatalf("a new connection while down read %d bytes, error %v", n, err)
				}
			}
			p.Disarm()
			if n, err := read(t, p); n != 1000 || err != nil {
				t.Fatalf("after Disarm: %d bytes, %v", n, err)
			}
		})
	}
}

// ArmNew leaves connections opened before it alone.
func TestProxyArmNewSparesOpenConnections(t *testing.T) {
	p, err := Listen("127.0.0.1", talker(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	old, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	// The old connection is accepted before ArmNew once a byte arrived.
	if _, err := io.ReadFull(old, make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	p.ArmNew(Cut, 400, nil)
	if n, err := read(t, p); n != 400 || !errors.Is(err, io.EOF) {
		t.Fatalf("new connection: %d bytes, %v; want 400 then EOF", n, err)
	}
	_ = old.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	if n, err := io.ReadFull(old, make([]byte, 999)); n != 999 || err != nil {
		t.Fatalf("old connection: %d bytes, %v; want the other 999", n, err)
	}
}

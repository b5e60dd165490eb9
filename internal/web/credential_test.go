package web

import (
	"bytes"
	"encoding/json"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/testdir/slapd"
)

// recorder is a loopback TCP listener that keeps every byte a client sends
// it, standing in for an attacker's server that waits for a bind request.
type recorder struct {
	ln   net.Listener
	mu   sync.Mutex
	data bytes.Buffer
}

func startRecorder(t *testing.T) *recorder {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{ln: ln}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
				buf := make([]byte, 4096)
				for {
					n, err := conn.Read(buf)
					r.mu.Lock()
					r.data.Write(buf[:n])
					r.mu.Unlock()
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return r
}

func (r *recorder) port() int { return r.ln.Addr().(*net.TCPAddr).Port }

func (r *recorder) received(secret string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return bytes.Contains(r.data.Bytes(), []byte(secret))
}

// connDoc is a connection document for the test directory at host:port.
func connDoc(name, host string, port int, security string, skip bool, password string) string {
	m := map[string]any{"name": name, "dnsName": host, "port": port, "security": security, "tlsSkipVerify": skip,
		"username": slapd.AdminDN, "searchPath": slapd.PeopleDN}
	if password != "" {
		m["password"] = password
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// A change to where or how a connection connects requires the password
// again: the stored password must never reach a server it was not entered
// for, through the API, the edit form or a check afterwards.
func TestStoredPasswordNeverFollowsEndpointChange(t *testing.T) {
	dir := slapd.Start(t, 2, 0)
	e := newTestEnv(t)
	c := e.login()
	evil := startRecorder(t)

	if code, body := c.api("PUT", "/api/v1/connections/dir", connDoc("dir", "127.0.0.1", dir.Port, "none", false, slapd.AdminPassword)); code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	if code, body := c.api("POST", "/api/v1/connections/dir/check", ""); code != 200 {
		t.Fatalf("check against the real directory: %d %s", code, body)
	}

	attacks := []struct {
		name, doc, field string
	}{
		{"port to the attacker", connDoc("dir", "127.0.0.1", evil.port(), "none", false, ""), "port"},
		{"host and port to the attacker", connDoc("dir", "localhost", evil.port(), "none", false, ""), "dnsName"},
		{"security downgraded", connDoc("dir", "127.0.0.1", dir.Port, "startTls", false, ""), "security"},
		{"certificate checks off", connDoc("dir", "127.0.0.1", dir.Port, "none", true, ""), "tlsSkipVerify"},
	}
	for _, tc := range attacks {
		t.Run(tc.name, func(t *testing.T) {
			code, body := c.api("PUT", "/api/v1/connections/dir", tc.doc)
			var e apiError
			_ = json.Unmarshal([]byte(body), &e)
			if code != 400 || e.Field != "password" || !strings.Contains(e.Message, tc.field) {
				t.Fatalf("PUT without password: %d %s, want 400 naming password and %s", code, body, tc.field)
			}
			_, _ = c.api("POST", "/api/v1/connections/dir/check", "")
		})
	}

	// The edit form: the same change without a password is refused and the
	// page says why, next to the password control.
	code, page := c.form("/connections/dir", url.Values{"dnsName": {"127.0.0.1"}, "port": {strconv.Itoa(evil.port())},
		"security": {"none"}, "password": {""}})
	if code != 400 || !strings.Contains(page, "is required again because port changed") {
		t.Fatalf("edit form: %d, want 400 asking for the password again\n%s", code, page)
	}
	_, _ = c.form("/connections/dir/check", url.Values{})
	if evil.received(slapd.AdminPassword) {
		t.Fatal("the attacker's listener received the stored bind password")
	}
	if code, body := c.api("POST", "/api/v1/connections/dir/check", ""); code != 200 {
		t.Fatalf("the connection must still point at the real directory: %d %s", code, body)
	}

	// Changes that keep the endpoint keep the password; a new endpoint with
	// its password is accepted.
	keep := strings.Replace(connDoc("dir", "127.0.0.1", dir.Port, "none", false, ""), `"searchPath"`, `"friendlyName":"Renamed","searchPath"`, 1)
	if code, body := c.api("PUT", "/api/v1/connections/dir", keep); code != 200 || !strings.Contains(body, `"hasPassword": true`) {
		t.Fatalf("same endpoint without password: %d %s", code, body)
	}
	if code, body := c.api("PUT", "/api/v1/connections/dir", connDoc("dir", "localhost", dir.Port, "none", false, slapd.AdminPassword)); code != 200 {
		t.Fatalf("new endpoint with its password: %d %s", code, body)
	}
	if code, body := c.api("POST", "/api/v1/connections/dir/check", ""); code != 200 {
		t.Fatalf("check after re-entry: %d %s", code, body)
	}
}

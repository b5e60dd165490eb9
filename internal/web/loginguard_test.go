package web

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// loginFrom posts the login form as a browser at addr would, with a login
// CSRF token of its own and the given extra cookies.
func loginFrom(t *testing.T, e *testEnv, addr, user, password string, cookies ...*http.Cookie) *http.Response {
	t.Helper()
	body := url.Values{"username": {user}, "password": {password}, csrfField: {"tok"}}.Encode()
	r := localRequest("POST", "/login", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.RemoteAddr = net.JoinHostPort(addr, "40000")
	r.AddCookie(&http.Cookie{Name: loginCSRFCookie, Value: "tok"})
	for _, c := range cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	e.web.ServeHTTP(w, r)
	return w.Result()
}

func cookieNamed(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// An attacker who guesses from one address, or from a thousand, cannot
// lock the administrator out: the right password from the administrator's
// own browser still logs in while the attack runs, and the attacking
// addresses are held back.
func TestLoginAttackDoesNotLockOutAdministrator(t *testing.T) {
	e := newTestEnv(t)
	// The administrator logged in once from this browser before the attack.
	first := loginFrom(t, e, "198.51.100.7", AdminName, testAdminPassword)
	if first.StatusCode != http.StatusSeeOther {
		t.Fatalf("first login: %d", first.StatusCode)
	}
	device := cookieNamed(first, deviceCookie)
	if device == nil || !device.HttpOnly {
		t.Fatalf("no known-device cookie after login: %+v", first.Cookies())
	}

	// One address guesses until it is held back.
	held := false
	for i := range 30 {
		resp := loginFrom(t, e, "203.0.113.5", AdminName, fmt.Sprintf("guess-%d", i))
		if resp.StatusCode == http.StatusTooManyRequests {
			held = true
			break
		}
	}
	if !held {
		t.Fatal("30 wrong passwords from one address were never held back")
	}
	if resp := loginFrom(t, e, "203.0.113.5", AdminName, testAdminPassword); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("the attacking address got %d with the right password, want 429 while it is held back", resp.StatusCode)
	}
	// Many addresses guess a few times each: the user name is now under
	// attack from everywhere. (The per-user threshold is lowered to keep
	// the test fast; the rule is the same.)
	e.web.logins.user.free = 10
	for a := range 6 {
		for i := range 3 {
			loginFrom(t, e, fmt.Sprintf("192.0.2.%d", a+1), AdminName, fmt.Sprintf("guess-%d", i))
		}
	}
	if resp := loginFrom(t, e, "198.51.100.7", AdminName, testAdminPassword, device); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the administrator's own browser got %d during the attack, want 303 (logged in)", resp.StatusCode)
	}
	// A client that never logged in as admin waits while the attack runs.
	if resp := loginFrom(t, e, "198.51.100.99", AdminName, testAdminPassword); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("an unknown client got %d during a distributed attack, want 429", resp.StatusCode)
	}
	// A forged or foreign device cookie does not help.
	forged := &http.Cookie{Name: deviceCookie, Value: device.Value[:len(device.Value)-2] + "xx"}
	if resp := loginFrom(t, e, "198.51.100.99", AdminName, testAdminPassword, forged); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a forged device cookie got %d, want 429", resp.StatusCode)
	}
}

// Each further failure past the free attempts doubles the wait.
func TestLoginBackoffDoubles(t *testing.T) {
	g := newLoginGuard(5)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	g.now = func() time.Time { return now }
	var waits []time.Duration
	for range 8 {
		g.fail("203.0.113.5", "admin")
		waits = append(waits, g.retryAfter("203.0.113.5", "admin", false))
	}
	want := []time.Duration{0, 0, 0, 0, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits after each failure = %v, want %v", waits, want)
		}
	}
	// An IPv6 client is one client across its /64.
	for range 5 {
		g.fail("2001:db8:1:2::1", "other")
	}
	if g.retryAfter("2001:db8:1:2:ffff::9", "other", false) == 0 {
		t.Fatal("another address in the same IPv6 /64 is not held back")
	}
}

// A flood of failed logins with invented names from invented addresses
// holds a bounded number of counters.
func TestLoginGuardMemoryIsBounded(t *testing.T) {
	g := newLoginGuard(5)
	g.maxKeys = 1000
	for i := range 20000 {
		g.fail(fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255), fmt.Sprintf("user-%d", i))
	}
	if n := g.size(); n > 3*1000 {
		t.Fatalf("guard holds %d counters after 20,000 distinct failures, want at most %d", n, 3*1000)
	}
}

// The login form is bounded and parsed only as a URL-encoded form before
// anything else happens: a large body is refused with 413 and a multipart
// body (which the standard library spools to temporary files) with 415.
func TestLoginBodyIsBounded(t *testing.T) {
	e := newTestEnv(t)
	big := url.Values{"username": {strings.Repeat("a", 1<<20)}, "password": {"x"}}.Encode()
	r := localRequest("POST", "/login", strings.NewReader(big))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	e.web.ServeHTTP(w, r)
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("1 MB login body: %d, want 413", w.Code)
	}

	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	fw, _ := mw.CreateFormFile("username", "big.bin")
	fw.Write(bytes.Repeat([]byte("x"), 64<<10))
	mw.Close()
	r = localRequest("POST", "/login", &mp)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	w = httptest.NewRecorder()
	e.web.ServeHTTP(w, r)
	if w.Code != http.StatusUnsupportedMediaType {
		t.Fatalf("multipart login body: %d, want 415", w.Code)
	}

	// A user name of a megabyte is not written to the log whole.
	if got := logValue(strings.Repeat("é", 1000)); len(got) > 100 {
		t.Fatalf("logValue kept %d bytes", len(got))
	}
}

// A post-login redirect never leaves the site, whatever the browser does
// with tabs, newlines and backslashes in the path.
func TestSafeNext(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/runs", "/runs"},
		{"/users?search=ann&status=active", "/users?search=ann&status=active"},
		{"/connections/corp", "/connections/corp"},
		{"", "/"},
		{"https://evil.example/", "/"},
		{"//evil.example", "/"},
		{"/\\evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"/\t/evil.example", "/"},
		{"/%09/evil.example", "/%09/evil.example"},
		{"/\n/evil.example", "/"},
		{"/\r\n/evil.example", "/"},
		{"/ /evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"/\u2028/evil", "/"},
	}
	for _, tt := range tests {
		if got := safeNext(tt.in); got != tt.want {
			t.Errorf("safeNext(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// The reproduction: the login page's next parameter, URL-decoded by
// the server, holds a tab; the redirect after login must stay on the site.
func TestLoginRedirectStaysOnSite(t *testing.T) {
	e := newTestEnv(t)
	body := url.Values{"username": {AdminName}, "password": {testAdminPassword}, csrfField: {"tok"}, "next": {"/\t/evil.example"}}.Encode()
	r := localRequest("POST", "/login?next=/%09/evil.example", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(&http.Cookie{Name: loginCSRFCookie, Value: "tok"})
	w := httptest.NewRecorder()
	e.web.ServeHTTP(w, r)
	if loc := w.Result().Header.Get("Location"); w.Code != http.StatusSeeOther || loc != "/" {
		t.Fatalf("login with next=/\\t/evil.example: %d Location %q, want 303 to /", w.Code, loc)
	}
}

// A client that trickles its request never holds a connection for longer
// than the read timeout.
func TestSlowClientIsCutOff(t *testing.T) {
	e := newTestEnv(t)
	srv := HTTPServer(e.web, Timeouts{ReadHeader: 300 * time.Millisecond, Read: 300 * time.Millisecond, Write: time.Second, Idle: time.Second}, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	fmt.Fprint(conn, "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n")
	buf := make([]byte, 1)
	for time.Since(start) < 5*time.Second {
		if _, err := conn.Write([]byte("a")); err != nil {
			break
		}
		conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if _, err := conn.Read(buf); err != nil && !isTimeout(err) {
			break
		}
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("a trickling client held its connection for %v, want it cut off after the 300 ms read timeout", d)
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

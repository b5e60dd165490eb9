package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The login guard slows password guessing without letting an attacker lock
// the administrator out. Failures are counted under three keys:
//
//   - the client address and the user name together: a few free attempts,
//     then a doubling wait;
//   - the client address alone (an IPv6 client by its /64, which one host
//     usually owns whole): more free attempts, then a doubling wait;
//   - the user name alone, which counts every address's failures but holds
//     back only clients that have never logged in as that user, so a
//     distributed attack cannot lock out the administrator's own browser.
//
// A browser that logs in receives a signed "known device" cookie for that
// user; with it, only its own address's failures count against it. Each
// counter forgets its failures after an hour of quiet, and the number of
// counters is capped, so a flood of invented user names or addresses holds a
// bounded amount of memory.
type loginGuard struct {
	mu      sync.Mutex
	now     func() time.Time
	key     []byte // signs known-device cookies; per process
	maxKeys int
	pair    strikes
	client  strikes
	user    strikes
}

// Limits of the login guard.
const (
	guardForget     = time.Hour
	guardMaxWait    = 15 * time.Minute
	guardMaxKeys    = 10_000
	clientFreeTries = 20
	userFreeTries   = 50
	deviceCookie    = "usersync_device"
	deviceTTL       = 90 * 24 * time.Hour
)

type strike struct {
	fails int
	last  time.Time
	until time.Time
}

type strikes struct {
	free int
	base time.Duration
	m    map[string]*strike
}

func newLoginGuard(pairFree int) *loginGuard {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic("web: crypto/rand failed: " + err.Error())
	}
	return &loginGuard{
		now: time.Now, key: key, maxKeys: guardMaxKeys,
		pair:   strikes{free: pairFree, base: time.Minute, m: map[string]*strike{}},
		client: strikes{free: clientFreeTries, base: time.Minute, m: map[string]*strike{}},
		user:   strikes{free: userFreeTries, base: time.Minute, m: map[string]*strike{}},
	}
}

// clientKey is the part of a client's address that identifies it: the whole
// IPv4 address, or an IPv6 address's /64.
func clientKey(ip string) string {
	a := net.ParseIP(ip)
	if a == nil || a.To4() != nil {
		return ip
	}
	return a.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// retryAfter reports how long this client must wait before trying user's
// password again, or zero. knownDevice is true when the client showed a
// valid known-device cookie for user.
func (g *loginGuard) retryAfter(ip, user string, knownDevice bool) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	c := clientKey(ip)
	wait := max(g.pair.wait(c+"\x00"+user, now), g.client.wait(c, now))
	if !knownDevice {
		wait = max(wait, g.user.wait(user, now))
	}
	return wait
}

// fail records a failed attempt and reports whether it started a lockout of
// one of the keys, for the audit log.
func (g *loginGuard) fail(ip, user string) (locked []string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	c := clientKey(ip)
	if g.pair.fail(c+"\x00"+user, now, g.maxKeys) {
		locked = append(locked, "client and user")
	}
	if g.client.fail(c, now, g.maxKeys) {
		locked = append(locked, "client")
	}
	if g.user.fail(user, now, g.maxKeys) {
		locked = append(locked, "user (clients without a known-device cookie)")
	}
	return locked
}

// succeed forgets the client's failures for user. The user's own counter is
// kept: an attack from elsewhere goes on being held back.
func (g *loginGuard) succeed(ip, user string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	c := clientKey(ip)
	delete(g.pair.m, c+"\x00"+user)
	delete(g.client.m, c)
}

// size is the number of counters held, for tests of the memory bound.
func (g *loginGuard) size() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.pair.m) + len(g.client.m) + len(g.user.m)
}

func (s *strikes) wait(key string, now time.Time) time.Duration {
	st := s.m[key]
	if st == nil || st.until.IsZero() || !now.Before(st.until) {
		return 0
	}
	return st.until.Sub(now)
}

// fail counts one failure; past the free attempts each failure doubles the
// wait, up to guardMaxWait. It reports whether a wait began.
func (s *strikes) fail(key string, now time.Time, maxKeys int) bool {
	st := s.m[key]
	if st != nil && now.Sub(st.last) > guardForget {
		st = nil
	}
	if st == nil {
		if len(s.m) >= maxKeys {
			s.evict(now, maxKeys)
		}
		st = &strike{}
		s.m[key] = st
	}
	st.fails++
	st.last = now
	if st.fails < s.free {
		return false
	}
	over := st.fails - s.free
	wait := guardMaxWait
	if over < 10 {
		wait = min(s.base<<over, guardMaxWait)
	}
	started := st.until.IsZero() || !now.Before(st.until)
	st.until = now.Add(wait)
	return started
}

// evict drops forgotten counters and, if the map is still full, the
// counters idle longest, so that the map never exceeds maxKeys.
func (s *strikes) evict(now time.Time, maxKeys int) {
	for k, st := range s.m {
		if now.Sub(st.last) > guardForget && now.After(st.until) {
			delete(s.m, k)
		}
	}
	for len(s.m) >= maxKeys {
		var oldest string
		var at time.Time
		for k, st := range s.m {
			if oldest == "" || st.last.Before(at) {
				oldest, at = k, st.last
			}
		}
		delete(s.m, oldest)
	}
}

// deviceToken signs "user|expiry" so that the browser can later prove it
// logged in as user before.
func (g *loginGuard) deviceToken(user string, now time.Time) string {
	exp := strconv.FormatInt(now.Add(deviceTTL).Unix(), 10)
	payload := base64.RawURLEncoding.EncodeToString([]byte(user)) + "." + exp
	return payload + "." + g.sign(payload)
}

// knownDevice reports whether tok is a valid, unexpired device token for user.
func (g *loginGuard) knownDevice(tok, user string, now time.Time) bool {
	i := strings.LastIndexByte(tok, '.')
	if i < 0 || !hmac.Equal([]byte(tok[i+1:]), []byte(g.sign(tok[:i]))) {
		return false
	}
	name, exp, ok := strings.Cut(tok[:i], ".")
	if !ok {
		return false
	}
	u, err := base64.RawURLEncoding.DecodeString(name)
	if err != nil || string(u) != user {
		return false
	}
	sec, err := strconv.ParseInt(exp, 10, 64)
	return err == nil && now.Before(time.Unix(sec, 0))
}

func (g *loginGuard) sign(payload string) string {
	m := hmac.New(sha256.New, g.key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

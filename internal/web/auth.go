package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/limits"
	"github.com/usersync/usersync/internal/store"
)

// AdminName is the first-run administrator's name.
const AdminName = app.AdminName

const sessionCookie = "usersync_session"

// principal is who made a request: an administrator through a session, or
// an API token (then session is nil).
type principal struct {
	admin   string
	session *store.Session
	// scope is the API token's scope; empty for a session.
	scope string
	// role is the administrator's role; for a token, its creator's role
	// (admin for a token created from the command line).
	role string
}

type principalKey struct{}

func principalOf(r *http.Request) principal {
	p, _ := r.Context().Value(principalKey{}).(principal)
	return p
}

// randomToken returns n random bytes, base64url-encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("web: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken is the SHA-256 under which session ids and API tokens are
// stored.
func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// TokenRequest says what a new API token is called, what it may do (a
// scope; empty means read) and for how many days it works (0 means 90).
type TokenRequest struct {
	Name          string `json:"name"`
	Scope         string `json:"scope"`
	ExpiresInDays int    `json:"expiresInDays"`
}

// CreateToken makes a new API token and returns its value, which is stored
// only as a SHA-256 hash and so can be shown only now.
func CreateToken(ctx context.Context, st store.Store, req TokenRequest, createdBy string) (string, store.APIToken, error) {
	name := strings.TrimSpace(req.Name)
	if name == "" || len(name) > 100 {
		return "", store.APIToken{}, badRequest("name", "a token needs a name of 1 to 100 characters")
	}
	if err := limits.PlainText(name); err != nil {
		return "", store.APIToken{}, badRequest("name", "a token name must be plain text: "+err.Error())
	}
	scope, err := validScope(req.Scope)
	if err != nil {
		return "", store.APIToken{}, err
	}
	ttl, err := validTTL(req.ExpiresInDays)
	if err != nil {
		return "", store.APIToken{}, err
	}
	tok := "ust_" + randomToken(32)
	t := store.APIToken{Name: name, Hash: hashToken(tok), CreatedBy: createdBy, Scope: scope,
		ExpiresAt: time.Now().Add(ttl).UTC().Truncate(time.Millisecond)}
	id, err := st.CreateAPIToken(ctx, t)
	if err != nil {
		return "", t, err
	}
	t.ID, t.CreatedAt = id, time.Now().UTC()
	return tok, t, nil
}

// maxBody bounds every request body the UI and the API read: the largest
// documents (a connection with its certificates and mappings) are a few
// hundred kilobytes.
const maxBody = 1 << 20

// guard wraps a route with its access rule: a session (or, for the API, a
// bearer token), and the CSRF check on every state-changing browser request.
func (s *Server) guard(rt route) http.Handler {
	h := s.errorHandler(rt)
	if rt.access == public {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		p, ok := s.authenticate(r, rt.access == api)
		if !ok {
			if rt.access == api {
				w.Header().Set("WWW-Authenticate", `Bearer realm="usersync"`)
				writeJSON(w, http.StatusUnauthorized, apiError{Code: "unauthorized", Message: "log in or send Authorization: Bearer TOKEN"})
				return
			}
			next := r.URL.Path
			if r.Method != http.MethodGet {
				next = "/"
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
			return
		}
		r = r.WithContext(app.WithActor(context.WithValue(r.Context(), principalKey{}, p), p.admin))
		if err := permits(p, rt); err != nil {
			s.refuse(w, r, rt, err)
			return
		}
		if p.session != nil && !safeMethod(r.Method) {
			if err := checkCSRF(r, p.session.CSRFToken); err != nil {
				if rt.access == api {
					writeJSON(w, http.StatusForbidden, apiError{Code: "csrf", Message: err.Error()})
				} else {
					s.render(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)), http.StatusForbidden, "error", "Form expired",
						apiError{Code: "csrf", Message: "This form was not sent from a page of this session (" + err.Error() + "): nothing was changed. Reload the page and try again."})
				}
				return
			}
		}
		h(w, r)
	})
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// authenticate finds the session cookie or, when bearer is true, an API
// token.
func (s *Server) authenticate(r *http.Request, bearer bool) (principal, bool) {
	if h := r.Header.Get("Authorization"); bearer && h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return principal{}, false
		}
		t, err := s.st.APITokenByHash(r.Context(), hashToken(strings.TrimSpace(tok)))
		if err != nil || !time.Now().Before(t.ExpiresAt) {
			return principal{}, false
		}
		role := store.RoleAdmin
		if creator, err := s.st.GetAdmin(r.Context(), t.CreatedBy); err == nil {
			if creator.Disabled {
				return principal{}, false
			}
			role = creator.Role
		}
		return principal{admin: "token:" + t.Name, scope: t.Scope, role: role}, true
	}
	c, err := r.Cookie(s.cookieName(sessionCookie))
	if err != nil || c.Value == "" {
		return principal{}, false
	}
	ss, err := s.st.GetSession(r.Context(), hashToken(c.Value))
	if err != nil {
		return principal{}, false
	}
	ad, err := s.st.GetAdmin(r.Context(), ss.Admin)
	if err != nil || ad.Disabled {
		return principal{}, false
	}
	return principal{admin: ss.Admin, session: &ss, role: ad.Role}, true
}

// clientIP is the address the request came from (proxies are not trusted).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) error {
	if _, ok := s.authenticate(r, false); ok {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	s.renderLogin(w, r, http.StatusOK, "", "")
	return nil
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, user, msg string) {
	tok := s.loginCSRF(w, r)
	s.render(w, r, status, "login", "Log in", map[string]any{
		"User": user, "Error": msg, "Next": safeNext(r.FormValue("next")), "LoginCSRF": tok,
	})
}

// maxLoginBody bounds a login form: a user name, a password, a CSRF token
// and a redirect path fit in far less.
const maxLoginBody = 8 << 10

// loginSubmit checks the body, the rate limits, the login CSRF token and
// the password, then starts a session. The body is bounded and only a
// URL-encoded form is parsed (never multipart, which spools to disk), all
// before the password is hashed.
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		http.Error(w, "Unsupported Media Type: the login form is sent as application/x-www-form-urlencoded", http.StatusUnsupportedMediaType)
		return nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginBody)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "Request Entity Too Large: a login form is at most 8 KB", http.StatusRequestEntityTooLarge)
			return nil
		}
		http.Error(w, "Bad Request: the login form cannot be read", http.StatusBadRequest)
		return nil
	}
	user := strings.TrimSpace(r.PostForm.Get("username"))
	key := strings.ToLower(user)
	ip := clientIP(r)
	now := time.Now()
	known := false
	if c, err := r.Cookie(s.cookieName(deviceCookie)); err == nil {
		known = s.logins.knownDevice(c.Value, key, now)
	}
	if wait := s.logins.retryAfter(ip, key, known); wait > 0 {
		secs := int(wait.Seconds() + 0.999)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		s.renderLogin(w, r, http.StatusTooManyRequests, user, fmt.Sprintf("Too many failed attempts. Try again in %d seconds.", secs))
		return nil
	}
	if err := s.checkLoginCSRF(r); err != nil {
		http.Error(w, "Forbidden: "+err.Error()+". Reload the login page and try again.", http.StatusForbidden)
		return nil
	}
	a, err := s.app.Login(r.Context(), user, r.PostForm.Get("password"), ip)
	if err != nil {
		locked := s.logins.fail(ip, key)
		s.log.Warn("login failed", "user", logValue(user), "ip", ip)
		for _, what := range locked {
			s.log.Warn("audit: login lockout", "locked", what, "user", logValue(user), "ip", ip)
		}
		s.renderLogin(w, r, http.StatusUnauthorized, user, "Wrong user name or password.")
		return nil
	}
	s.logins.succeed(ip, key)
	id := randomToken(32)
	ss := store.Session{IDHash: hashToken(id), Admin: a.Name, CSRFToken: randomToken(32), ExpiresAt: time.Now().Add(s.opts.SessionTTL)}
	if err := s.st.CreateSession(r.Context(), ss); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(sessionCookie), Value: id, Path: "/", HttpOnly: true, Secure: s.opts.Secure,
		SameSite: http.SameSiteLaxMode, Expires: ss.ExpiresAt})
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(deviceCookie), Value: s.logins.deviceToken(key, now), Path: "/", HttpOnly: true,
		Secure: s.opts.Secure, SameSite: http.SameSiteStrictMode, Expires: now.Add(deviceTTL)})
	s.log.Info("login", "user", a.Name, "ip", ip)
	http.Redirect(w, r, safeNext(r.PostForm.Get("next")), http.StatusSeeOther)
	return nil
}

// logValue shortens a value an anonymous client chose before it is logged,
// so that failed logins cannot fill the log with megabytes per request.
func logValue(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…(" + strconv.Itoa(len(s)) + " bytes)"
}

// safeNext keeps a post-login redirect on this site. Browsers drop tabs and
// newlines from URLs and treat a backslash like a slash, so "/\t/evil" or
// "/\\evil" would leave the site; only a plain absolute path of printable
// characters whose second character is not a slash or backslash is kept.
func safeNext(next string) string {
	if len(next) > 2048 || !strings.HasPrefix(next, "/") {
		return "/"
	}
	for _, c := range next {
		if c < 0x21 || c == 0x7f || c == '\\' || (c >= 0x80 && !unicode.IsPrint(c)) {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || strings.HasPrefix(next, "//") {
		return "/"
	}
	return next
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if p := principalOf(r); p.session != nil {
		_ = s.st.DeleteSession(r.Context(), p.session.IDHash)
		s.app.Audit(r.Context(), app.AuditLogout, "", "")
	}
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(sessionCookie), Value: "", Path: "/", HttpOnly: true, Secure: s.opts.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/usersync/usersync/internal/app"
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

// CreateToken makes a new API token named name and returns its value, which
// is stored only as a SHA-256 hash and so can be shown only now.
func CreateToken(ctx context.Context, st AuthStore, name, createdBy string) (string, store.APIToken, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return "", store.APIToken{}, badRequest("name", "a token needs a name of 1 to 100 characters")
	}
	tok := "ust_" + randomToken(32)
	t := store.APIToken{Name: name, Hash: hashToken(tok), CreatedBy: createdBy}
	id, err := st.CreateAPIToken(ctx, t)
	if err != nil {
		return "", t, err
	}
	t.ID, t.CreatedAt = id, time.Now().UTC()
	return tok, t, nil
}

// guard wraps a route with its access rule: a session (or, for the API, a
// bearer token), and the CSRF check on every state-changing browser request.
func (s *Server) guard(rt route) http.Handler {
	h := s.errorHandler(rt)
	if rt.access == public {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
		if p.session != nil && !safeMethod(r.Method) {
			if err := checkCSRF(r, p.session.CSRFToken); err != nil {
				if rt.access == api {
					writeJSON(w, http.StatusForbidden, apiError{Code: "csrf", Message: err.Error()})
				} else {
					http.Error(w, "Forbidden: "+err.Error()+". Reload the page and try again.", http.StatusForbidden)
				}
				return
			}
		}
		h(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
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
		if err != nil {
			return principal{}, false
		}
		return principal{admin: "token:" + t.Name}, true
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return principal{}, false
	}
	ss, err := s.st.GetSession(r.Context(), hashToken(c.Value))
	if err != nil {
		return principal{}, false
	}
	return principal{admin: ss.Admin, session: &ss}, true
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

// loginSubmit checks the rate limits, the login CSRF token and the
// password, then starts a session.
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) error {
	user := strings.TrimSpace(r.PostFormValue("username"))
	ip := clientIP(r)
	if wait := max(s.byIP.retryAfter(ip), s.byUser.retryAfter(strings.ToLower(user))); wait > 0 {
		secs := int(wait.Seconds() + 0.999)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		s.renderLogin(w, r, http.StatusTooManyRequests, user, fmt.Sprintf("Too many failed attempts. Try again in %d seconds.", secs))
		return nil
	}
	if err := checkLoginCSRF(r); err != nil {
		http.Error(w, "Forbidden: "+err.Error()+". Reload the login page and try again.", http.StatusForbidden)
		return nil
	}
	a, err := s.app.CheckAdmin(r.Context(), user, r.PostFormValue("password"))
	if err != nil {
		s.byIP.fail(ip)
		s.byUser.fail(strings.ToLower(user))
		s.log.Warn("login failed", "user", user, "ip", ip)
		s.renderLogin(w, r, http.StatusUnauthorized, user, "Wrong user name or password.")
		return nil
	}
	s.byIP.reset(ip)
	s.byUser.reset(strings.ToLower(user))
	id := randomToken(32)
	ss := store.Session{IDHash: hashToken(id), Admin: a.Name, CSRFToken: randomToken(32), ExpiresAt: time.Now().Add(s.opts.SessionTTL)}
	if err := s.st.CreateSession(r.Context(), ss); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, Secure: s.opts.Secure,
		SameSite: http.SameSiteLaxMode, Expires: ss.ExpiresAt})
	s.log.Info("login", "user", a.Name, "ip", ip)
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
	return nil
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/"
	}
	return next
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if p := principalOf(r); p.session != nil {
		_ = s.st.DeleteSession(r.Context(), p.session.IDHash)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: s.opts.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

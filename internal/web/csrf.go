package web

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
)

// csrfField is the hidden form field, and csrfHeader the request header
// (for fetch), that carry the session's synchronizer token.
const (
	csrfField       = "csrf"
	csrfHeader      = "X-CSRF-Token"
	loginCSRFCookie = "usersync_login_csrf"
)

// checkCSRF refuses a state-changing request that comes from another site
// (by Sec-Fetch-Site or Origin) or lacks the session's token.
func checkCSRF(r *http.Request, want string) error {
	if err := checkOrigin(r); err != nil {
		return err
	}
	got := r.Header.Get(csrfHeader)
	if got == "" {
		got = r.PostFormValue(csrfField)
	}
	if got == "" {
		return errors.New("missing CSRF token")
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return errors.New("wrong CSRF token")
	}
	return nil
}

// checkOrigin refuses cross-site requests. Browsers send Sec-Fetch-Site
// (and Origin on POST); clients that send neither (curl, scripts) are
// judged by the token alone.
func checkOrigin(r *http.Request) error {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return errors.New("cross-site request refused")
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return errors.New("request from another origin refused")
		}
	}
	return nil
}

// loginCSRF returns the login form's token, kept in a cookie (double
// submit), since there is no session yet to hold it.
func (s *Server) loginCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(s.cookieName(loginCSRFCookie)); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	tok := randomToken(32)
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(loginCSRFCookie), Value: tok, Path: "/", HttpOnly: true, Secure: s.opts.Secure, SameSite: http.SameSiteStrictMode})
	return tok
}

// checkLoginCSRF compares the login form's token with its cookie.
func (s *Server) checkLoginCSRF(r *http.Request) error {
	if err := checkOrigin(r); err != nil {
		return err
	}
	c, err := r.Cookie(s.cookieName(loginCSRFCookie))
	got := r.PostFormValue(csrfField)
	if err != nil || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(c.Value)) != 1 {
		return errors.New("missing or wrong CSRF token")
	}
	return nil
}

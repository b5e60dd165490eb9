package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/usersync/usersync/internal/connection"
)

// connForm is what the add and edit connection pages show.
type connForm struct {
	C        connection.Connection
	New      bool
	Advanced bool
	Errors   map[string]string
	Error    string
	Check    *checkResult
	// PasswordKept is the id of the password typed before a failed
	// submit, kept server-side for the retry and never put in the page.
	PasswordKept string
	// Warnings are problems that do not block saving, such as another
	// source connection reading the same users.
	Warnings []string
	// M is the Mappings section of the Edit Directory page.
	M *mappingsForm
}

// keepPassword keeps the password a failed submit carried (typed, or kept
// from an earlier try) server-side for the retry, and returns its id; ""
// when there was none.
func (s *Server) keepPassword(r *http.Request, password string) string {
	owner := sessionOwner(r)
	if password == "" || owner == "" {
		return ""
	}
	return s.kept.put(keptEntry{owner: owner, secret: password})
}

// keptPassword returns the password kept for r's retry when the form left
// the password box empty, or "".
func (s *Server) keptPassword(r *http.Request) string {
	if r.PostFormValue("password") != "" {
		return ""
	}
	e, _ := s.kept.get(sessionOwner(r), r.PostFormValue("passwordKept"))
	return e.secret
}

// forgetKeptPassword drops the password kept for r's retry once the form
// was saved, so that it stays in memory no longer than needed.
func (s *Server) forgetKeptPassword(r *http.Request) {
	s.kept.take(sessionOwner(r), r.PostFormValue("passwordKept"))
}

// checkResult is a check connection shown inline.
type checkResult struct {
	Name  string
	OK    bool
	View  checkView
	Error string
	Field string
}

// fieldErrors turns an error into messages by form field, so that each
// appears next to its control; other errors go under "".
func fieldErrors(err error) map[string]string {
	out := map[string]string{}
	var ve *connection.ValidationError
	switch {
	case errors.As(err, &ve):
		for _, p := range ve.Problems {
			field, msg := p.Field, p.Message
			if strings.HasPrefix(field, "configureTwo.") {
				// The form shows the document in one control.
				field, msg = "configureTwo", p.Error()
			}
			if prev, dup := out[field]; !dup {
				out[field] = msg
			} else if field == "configureTwo" {
				out[field] = prev + "; " + msg
			}
		}
	default:
		_, e := classify(err)
		if e.Field != "" {
			out[e.Field] = e.Message
		} else {
			out[""] = e.Message
		}
	}
	return out
}

// readConnForm fills c from a posted add or edit form. Fields missing from
// the form keep c's values; an empty password keeps the stored one.
func readConnForm(r *http.Request, c *connection.Connection, isNew bool) map[string]string {
	errs := map[string]string{}
	str := func(name string, dst *string) {
		if v, ok := r.PostForm[name]; ok {
			*dst = strings.TrimSpace(v[0])
		}
	}
	num := func(name string, dst *int) {
		if v, ok := r.PostForm[name]; ok {
			n, err := strconv.Atoi(strings.TrimSpace(v[0]))
			if err != nil {
				errs[name] = "must be a whole number"
				return
			}
			*dst = n
		}
	}
	if isNew {
		str("name", &c.Name)
	}
	for name, dst := range map[string]*string{"friendlyName": &c.FriendlyName, "directoryType": &c.DirectoryType,
		"systemType": &c.SystemType, "dnsName": &c.DNSName, "security": &c.Security, "username": &c.Username,
		"searchPath": &c.SearchPath, "searchFilter": &c.SearchFilter, "linkingKey": &c.LinkingKey,
		"ruleCriteriaAttribute": &c.RuleCriteriaAttribute, "configureTwo": &c.ConfigureTwo, "manualAssignments": &c.ManualAssignments} {
		str(name, dst)
	}
	if v, ok := r.PostForm["caCertificate"]; ok {
		c.CACertificate = strings.TrimSpace(v[0])
		if c.CACertificate != "" {
			c.CACertificate += "\n"
		}
	}
	num("port", &c.Port)
	num("pageSize", &c.PageSize)
	num("guardMaxCount", &c.DeletionGuard.MaxCount)
	if v, ok := r.PostForm["guardMaxPercent"]; ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(v[0]), 64)
		if err != nil {
			errs["deletionGuard.maxPercent"] = "must be a number"
		}
		c.DeletionGuard.MaxPercent = f
	}
	if _, ok := r.PostForm["guardPresent"]; ok {
		c.DeletionGuard.Disabled = r.PostFormValue("guardDisabled") == "on"
	}
	c.TLSSkipVerify = r.PostFormValue("tlsSkipVerify") == "on"
	if p := r.PostFormValue("password"); p != "" {
		c.Password = p
	}
	return errs
}

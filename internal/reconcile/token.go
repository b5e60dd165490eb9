package reconcile

import (
	"fmt"
	"hash/fnv"
	"strings"
)

// A saved change token is "scope directoryToken": scope fingerprints what
// decided which entries the token's run read and how it mapped them (search
// path, filter, linking key, mapping, identity settings). A delta only makes
// sense against the same scope, so a changed connection forces a full run.

// scopeOf fingerprints the parts of a job a change token depends on.
func scopeOf(j Job) string {
	h := fnv.New64a()
	id := j.Identity
	groups := ""
	if fp, ok := j.Groups.(interface{ Fingerprint() string }); ok {
		groups = fp.Fingerprint()
	}
	// The members of a scope's groups: a user entry does not change when a
	// group gains or loses it, so a changed group needs a full run.
	if sm, ok := j.Mapper.(interface{ ScopeMembersFingerprint() string }); ok && sm.ScopeMembersFingerprint() != "" {
		groups += "\x00scope members " + sm.ScopeMembersFingerprint()
	}
	for _, s := range []string{j.Conn.SearchPath, j.Conn.SearchFilter, j.LinkingKey, j.Mapper.Fingerprint(), groups,
		fmt.Sprint(id.UPN, id.Mode, id.MailFallback, id.Policy.RequireFQDN, strings.Join(id.Policy.AcceptedSuffixes, ","))} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return fmt.Sprintf("%016x", h.Sum64())
}

// wrapToken adds the job's scope to a directory's change token.
func wrapToken(j Job, dirToken string) string { return scopeOf(j) + " " + dirToken }

// WrapToken is the change token to save for a directory token read under
// job j, in the form every reader of the connection shares (runs and live
// mode), so that each can continue from where the other stopped. A job with
// group rules must have prepared its group phase.
func WrapToken(j Job, dirToken string) string { return wrapToken(j, dirToken) }

// UnwrapToken returns the directory token inside a saved change token, and
// false when it was saved for another scope (or there is none).
func UnwrapToken(j Job, saved string) (string, bool) {
	tok, why := unwrapToken(j, saved)
	return tok, why == ""
}

// unwrapToken returns the directory token saved for j, or a reason it
// cannot be used.
func unwrapToken(j Job, saved string) (string, string) {
	scope, tok, ok := strings.Cut(saved, " ")
	switch {
	case saved == "":
		return "", "no change token is saved yet"
	case !ok:
		return "", "the saved change token is not in the current format"
	case scope != scopeOf(j):
		return "", "the search path, filter, linking key, mapping, identity settings, group rules or application entities changed since the token was saved"
	}
	return tok, ""
}

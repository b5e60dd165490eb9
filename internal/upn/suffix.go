package upn

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors for SuffixPolicy.Check.
var (
	// ErrSuffixNotAccepted means the domain specifier is not in the list of
	// accepted UPN suffixes.
	ErrSuffixNotAccepted = errors.New("domain specifier is not an accepted UPN suffix")
	// ErrNotFQDN means the policy requires a fully qualified domain name and
	// the domain specifier is not one.
	ErrNotFQDN = errors.New("domain specifier is not a fully qualified domain name")
)

// SuffixPolicy decides which domain specifiers a connection accepts: a
// specifier may be at domain level (corp.example.test) or at forest
// level (example.test), and when the hybrid (Office 365) UPN format is the
// only one in use it must be a fully qualified domain name.
type SuffixPolicy struct {
	// AcceptedSuffixes lists the accepted domain specifiers, domain-level and
	// forest-level alike. Matching is exact and case-insensitive: listing
	// example.test does not accept corp.example.test. An empty list accepts
	// any specifier.
	AcceptedSuffixes []string
	// RequireFQDN demands a fully qualified domain name: at least two labels,
	// each a valid DNS label, and a top-level label that is not all digits.
	RequireFQDN bool
}

// Check returns nil when u's domain specifier satisfies the policy, and
// otherwise an error naming the user and the rule broken, wrapping
// ErrSuffixNotAccepted or ErrNotFQDN.
func (p SuffixPolicy) Check(u UPN) error {
	if p.RequireFQDN {
		if err := checkFQDN(u.Domain); err != nil {
			return fmt.Errorf("upn: user %q: %w %q (the hybrid UPN format is the only one, so the domain specifier must be an FQDN): %v", u.String(), ErrNotFQDN, u.Domain, err)
		}
	}
	if len(p.AcceptedSuffixes) == 0 {
		return nil
	}
	want := trimSuffix(u.Domain)
	for _, s := range p.AcceptedSuffixes {
		if strings.EqualFold(trimSuffix(s), want) {
			return nil
		}
	}
	return fmt.Errorf("upn: user %q: %w: %q is not one of %s", u.String(), ErrSuffixNotAccepted, u.Domain, strings.Join(p.AcceptedSuffixes, ", "))
}

// Validate checks that every accepted suffix is itself a valid domain
// specifier (and an FQDN when RequireFQDN is set), so a mistyped policy is
// caught when it is saved rather than when every user fails.
func (p SuffixPolicy) Validate() error {
	var errs []error
	for i, s := range p.AcceptedSuffixes {
		d := trimSuffix(s)
		err := checkDomain(d)
		if err == nil && p.RequireFQDN {
			err = checkFQDN(d)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("upn: accepted suffix %d %q: %w", i, s, err))
		}
	}
	return errors.Join(errs...)
}

// trimSuffix drops surrounding white space and one trailing root dot, which
// operators sometimes type ("example.test.").
func trimSuffix(s string) string {
	return strings.TrimSuffix(strings.TrimSpace(s), ".")
}

// checkFQDN requires at least two valid DNS labels and a non-numeric
// top-level label.
func checkFQDN(domain string) error {
	if err := checkDomain(domain); err != nil {
		return err
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return fmt.Errorf("%q has a single label; want at least two, such as example.test", domain)
	}
	tld := labels[len(labels)-1]
	if strings.Trim(tld, "0123456789") == "" {
		return fmt.Errorf("top-level label %q is all digits", tld)
	}
	return nil
}

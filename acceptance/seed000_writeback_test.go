package acceptance

import (
	"slices"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/testdir/samba"
)

// cloudAttr stands in for Example 4's extensionAttribute5, an Exchange
// schema attribute Samba's schema lacks; like it, it is a single-valued
// Unicode string.
const cloudAttr = "msDS-cloudExtensionAttribute5"

// writeBackSetup creates users in a fresh OU, syncs them from a source
// connection "src", and applies a relying party "rp" with configureTwo.
func writeBackSetup(t *testing.T, configureTwo string, users map[string]samba.UserSpec) (*adOU, *admin, map[string]string) {
	t.Helper()
	ou := newOU(t)
	dns := map[string]string{}
	for login, spec := range users {
		dns[login] = ou.addUser(login, spec)
	}
	a := newAdmin(t)
	a.apply(ou.source("src", nil))
	a.mustSync("src")
	a.apply(ou.relyingParty("rp", configureTwo, nil))
	return ou, a, dns
}

func wantAttr(t *testing.T, ou *adOU, dn, attr string, want ...string) {
	t.Helper()
	got := ou.attr(dn, attr)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s of %s = %q, want %q", attr, dn, got, want)
	}
}

// Example 3: "each user's UPN written into their proxyAddresses AD attribute
// prefixed with smtp:, normalized to lowercase, and skipped if an equivalent
// value already exists"; the other values stay, and a second run writes
// nothing.
func TestSeed000_Example3_WritesLowercaseSmtpUPNToProxyAddresses(t *testing.T) {
	ou, a, dns := writeBackSetup(t, seedExample("Example3"), map[string]samba.UserSpec{
		"jane": {Attributes: map[string][]string{"proxyAddresses": {"X500:/o=Org/cn=jane", "SMTP:jane@example.org"}}},
		"john": {},
	})
	// john already has his address under the upper-case primary prefix.
	ou.dc.Replace(t, dns["john"], "proxyAddresses", "SMTP:"+strings.ToUpper(ou.upn("john")))
	rep := a.mustSync("rp")
	if rep.Updated != 1 || rep.Failed != 0 {
		t.Fatalf("run %+v: want jane updated and john left alone", rep)
	}
	wantAttr(t, ou, dns["jane"], "proxyAddresses", "X500:/o=Org/cn=jane", "SMTP:jane@example.org", "smtp:"+strings.ToLower(ou.upn("jane")))
	wantAttr(t, ou, dns["john"], "proxyAddresses", "SMTP:"+strings.ToUpper(ou.upn("john")))
	again := a.mustSync("rp")
	if again.Updated != 0 {
		t.Fatalf("second run wrote again: %+v", again)
	}
}

// Example 4: "each user's UPN written as-is (no prefix) into a custom AD
// attribute ... The attribute is single-valued."
func TestSeed000_Example4_WritesPlainUPNAsIs(t *testing.T) {
	doc := strings.Replace(seedExample("Example4"), "extensionAttribute5", cloudAttr, 1)
	ou, a, dns := writeBackSetup(t, doc, map[string]samba.UserSpec{"Mary": {}})
	ou.dc.Replace(t, dns["Mary"], "userPrincipalName", ou.prefix+"Mary.Major@Example.test")
	a.mustSync("src")
	a.mustSync("rp")
	wantAttr(t, ou, dns["Mary"], cloudAttr, ou.prefix+"Mary.Major@Example.test")
}

// Example 4 with "Skip if already present → on" on a single-valued
// attribute: a value already there is kept, never replaced.
func TestSeed000_Example4_SkipIfPresentKeepsExistingSingleValue(t *testing.T) {
	doc := strings.Replace(seedExample("Example4"), "extensionAttribute5", cloudAttr, 1)
	ou, a, dns := writeBackSetup(t, doc, map[string]samba.UserSpec{"max": {Attributes: map[string][]string{cloudAttr: {"set-by-someone-else"}}}})
	a.mustSync("rp")
	wantAttr(t, ou, dns["max"], cloudAttr, "set-by-someone-else")
}

// Example 4: "Failures should halt the operation rather than warn": a
// refused write fails the run, naming the user, the attribute and AD's
// reason.
func TestSeed000_Example4_WriteFailureHaltsTheRun(t *testing.T) {
	doc := strings.Replace(seedExample("Example4"), "extensionAttribute5", cloudAttr, 1)
	ou, a, dns := writeBackSetup(t, doc, map[string]samba.UserSpec{"max": {}, "reader": {Password: "Reader-Pw-123"}})
	a.apply(ou.relyingParty("rp", doc, map[string]any{"username": ou.upn("reader"), "password": "Reader-Pw-123",
		"searchFilter": "(&(objectClass=user)(cn=max))"}))
	rep, code := a.sync("rp")
	if code != exitFailed || rep.Status != "failed" {
		t.Fatalf("run with a refused write: exit %d %+v, want a failed run", code, rep)
	}
	for _, want := range []string{cloudAttr, "insufficient access"} {
		if !strings.Contains(rep.Error, want) {
			t.Errorf("run error lacks %q: %s", want, rep.Error)
		}
	}
	wantAttr(t, ou, dns["max"], cloudAttr)
}

// Example 5: "you want failures (e.g., insufficient permissions on
// individual objects) to be ignored so the overall sync isn't interrupted."
func TestSeed000_Example5_IgnoredFailureDoesNotStopOthers(t *testing.T) {
	ou, a, dns := writeBackSetup(t, seedExample("Example5"), map[string]samba.UserSpec{"Alice": {}, "Bob": {}, "Carl": {}})
	ou.dc.DenyWriteProperty(t, dns["Bob"], ou.dc.AdminDN)
	rep := a.mustSync("rp")
	if rep.Updated != 2 || rep.Failed != 1 || len(rep.Warnings) != 0 {
		t.Fatalf("run %+v: want 2 written, Bob failed, no warnings", rep)
	}
	wantAttr(t, ou, dns["Alice"], "mail", strings.ToLower(ou.upn("Alice")))
	wantAttr(t, ou, dns["Carl"], "mail", strings.ToLower(ou.upn("Carl")))
	wantAttr(t, ou, dns["Bob"], "mail")
}

// Example 5: "populating the mail attribute from the UPN for accounts that
// don't have one set": an account with a mail keeps it.
func TestSeed000_Example5_AccountWithMailKeepsIt(t *testing.T) {
	ou, a, dns := writeBackSetup(t, seedExample("Example5"), map[string]samba.UserSpec{"has": {Mail: "Has.Own@example.org"}, "none": {}})
	a.mustSync("rp")
	wantAttr(t, ou, dns["has"], "mail", "Has.Own@example.org")
	wantAttr(t, ou, dns["none"], "mail", strings.ToLower(ou.upn("none")))
}

// Example 2: "Some user accounts in this directory don't have a
// userPrincipalName populated. You want the system to fall back to their
// mail attribute": the entry without a UPN is linked by its mail, and with
// the fallback off it is skipped with a reason.
func TestSeed000_Example2_MailFallbackLinksEntryWithoutUPN(t *testing.T) {
	ou := newOU(t)
	dn := ou.addUser("noupn", samba.UserSpec{Mail: ou.prefix + "Pat@example.test"})
	noUPN := ldap.NewModifyRequest(dn, nil)
	noUPN.Delete("userPrincipalName", nil)
	ou.dc.Modify(t, noUPN)
	a := newAdmin(t)
	if out, errOut, code := a.runIn("Local-Pw-12345\n", "users", "add-local", ou.prefix+"pat@example.test", "--display-name", "Pat"); code != exitOK {
		t.Fatalf("users add-local: exit %d %s%s", code, out, errOut)
	}
	// Example 3 has the fallback on and writes, which shows the link.
	a.apply(ou.relyingParty("rp", seedExample("Example3"), nil))
	rep := a.mustSync("rp")
	if rep.Updated != 1 {
		t.Fatalf("run %+v: want the entry linked by mail and written", rep)
	}
	wantAttr(t, ou, dn, "proxyAddresses", "smtp:"+strings.ToLower(ou.prefix+"pat@example.test"))

	off := strings.Replace(seedExample("Example3"), `"mailFallbackOnMissingUpn":{"enabled":true}`, `"mailFallbackOnMissingUpn":{"enabled":false}`, 1)
	a.apply(ou.relyingParty("rp2", off, nil))
	rep = a.mustSync("rp2")
	if rep.Skipped != 1 || rep.Updated != 0 {
		t.Fatalf("run without fallback %+v: want the entry skipped", rep)
	}
}

// Example 3: "Warn on failure rather than blocking": a refused write is a
// warning on the run, and the other users are still written.
func TestSeed000_Example3_WarnsOnWriteFailureAndContinues(t *testing.T) {
	ou, a, dns := writeBackSetup(t, seedExample("Example3"), map[string]samba.UserSpec{"Ann": {}, "Ben": {}})
	ou.dc.DenyWriteProperty(t, dns["Ben"], ou.dc.AdminDN)
	rep, code := a.sync("rp")
	if code != exitOK || rep.Status != "succeeded" || rep.Updated != 1 || rep.Failed != 1 {
		t.Fatalf("run: exit %d %+v, want Ann written and Ben failed in a succeeded run", code, rep)
	}
	if !strings.Contains(strings.Join(rep.Warnings, " "), "proxyAddresses") {
		t.Errorf("no warning names the attribute: %q", rep.Warnings)
	}
	wantAttr(t, ou, dns["Ann"], "proxyAddresses", "smtp:"+strings.ToLower(ou.upn("Ann")))
	wantAttr(t, ou, dns["Ben"], "proxyAddresses")
}

// Example 4 verbatim names extensionAttribute5, "type it in — not in the
// suggestion list". On a directory whose schema lacks the attribute, the run
// fails with an error naming it (onWriteFailure is error) and writes
// nothing.
func TestSeed000_Example4_UnknownTargetAttributeIsNamed(t *testing.T) {
	ou, a, dns := writeBackSetup(t, seedExample("Example4"), map[string]samba.UserSpec{"nosuch": {}})
	rep, code := a.sync("rp")
	if code != exitFailed || rep.Status != "failed" || !strings.Contains(rep.Error, "extensionAttribute5") {
		t.Fatalf("run: exit %d %+v, want a failed run naming extensionAttribute5", code, rep)
	}
	wantAttr(t, ou, dns["nosuch"], "mail")
}

// Examples 1 and 2 keep "Sync UPN to AD attribute → off": "the fields below
// the second toggle stay disabled", so however they are filled in, a run
// writes nothing.
func TestSeed000_Examples1And2_SyncOffWritesNothing(t *testing.T) {
	for _, ex := range []string{"Example1", "Example2"} {
		t.Run(ex, func(t *testing.T) {
			ou, a, dns := writeBackSetup(t, seedExample(ex), map[string]samba.UserSpec{"quiet": {}})
			if rep := a.mustSync("rp"); rep.Updated != 0 {
				t.Fatalf("run %+v: want nothing written", rep)
			}
			wantAttr(t, ou, dns["quiet"], "proxyAddresses")
		})
	}
}

// "choose a Target attribute (pick a suggestion such as proxyAddresses, mail,
// userPrincipalName, or otherMailbox, or type a custom AD attribute name),
// pick a Value format (prefixed adds a string like smtp: in front of the
// value; plain writes the value as-is), enter a Prefix if you chose
// prefixed": other targets and prefixes than the examples' work the same.
func TestSeed000_TargetAttributePrefixAndFormatChoices(t *testing.T) {
	for _, tc := range []struct {
		name     string
		replace  map[string]string // changes to Example 3's document
		attr     string
		existing []string
		want     func(upn string) []string
	}{
		{"sip prefix into proxyAddresses", map[string]string{`"prefix":"smtp"`: `"prefix":"sip"`}, "proxyAddresses",
			[]string{"SMTP:primary@example.org"},
			func(upn string) []string { return []string{"SMTP:primary@example.org", "sip:" + strings.ToLower(upn)} }},
		{"plain into multi-valued otherMailbox", map[string]string{`"targetAttribute":"proxyAddresses"`: `"targetAttribute":"otherMailbox"`, `"valueFormat":"prefixed"`: `"valueFormat":"plain"`},
			"otherMailbox", []string{"other@example.org"},
			func(upn string) []string { return []string{"other@example.org", strings.ToLower(upn)} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := seedExample("Example3")
			for from, to := range tc.replace {
				if !strings.Contains(doc, from) {
					t.Fatalf("Example 3 lacks %s", from)
				}
				doc = strings.Replace(doc, from, to, 1)
			}
			ou, a, dns := writeBackSetup(t, doc, map[string]samba.UserSpec{"Pick": {Attributes: map[string][]string{tc.attr: tc.existing}}})
			if rep := a.mustSync("rp"); rep.Updated != 1 {
				t.Fatalf("run %+v: want the user written", rep)
			}
			wantAttr(t, ou, dns["Pick"], tc.attr, tc.want(ou.upn("Pick"))...)
		})
	}
}

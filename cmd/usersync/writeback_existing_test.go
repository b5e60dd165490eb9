package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/samba"
)

// TestWriteBackKeepsExistingValue runs every example configureTwo document
// of the Advanced UPN Sync Settings panel on a Samba AD DC against a user
// whose target attribute already holds a value that is not the UPN, and
// against one whose attribute is empty, with
// skipIfAlreadyPresent as saved (on) and turned off. With skip on, a
// single-valued attribute that already has a value is left alone and the
// user is reported as skipped with the value kept; only with skip off is
// it replaced. A multi-valued attribute gets the UPN added and keeps every
// value it had. A second run changes nothing.
func TestWriteBackKeepsExistingValue(t *testing.T) {
	const personal = "carl.personal@corp.test"
	ex4 := strings.Replace(seedExample4, "extensionAttribute5", cloudAttr, 1)
	type row struct {
		name     string
		cfg      string
		attr     string
		existing []string // the attribute's values before the run
		skip     bool
		want     []string // attribute values after the run, "UPN" and "upn" standing for the UPN
		counts   store.Counts
		again    store.Counts
	}
	rows := []row{
		{name: "ex1 present skip", cfg: seedExample1, attr: "proxyAddresses", existing: []string{"smtp:" + personal}, skip: true,
			want: []string{"smtp:" + personal}, counts: store.Counts{Unchanged: 1}, again: store.Counts{Unchanged: 1}},
		{name: "ex1 present noskip", cfg: seedExample1, attr: "proxyAddresses", existing: []string{"smtp:" + personal},
			want: []string{"smtp:" + personal}, counts: store.Counts{Unchanged: 1}, again: store.Counts{Unchanged: 1}},
		{name: "ex1 absent skip", cfg: seedExample1, attr: "proxyAddresses", skip: true,
			counts: store.Counts{Unchanged: 1}, again: store.Counts{Unchanged: 1}},
		{name: "ex1 absent noskip", cfg: seedExample1, attr: "proxyAddresses",
			counts: store.Counts{Unchanged: 1}, again: store.Counts{Unchanged: 1}},
		{name: "ex2 present skip", cfg: seedExample2, attr: "proxyAddresses", existing: []string{"smtp:" + personal}, skip: true,
			want: []string{"smtp:" + personal}, counts: store.Counts{Unchanged: 1}, again: store.Counts{Unchanged: 1}},
		{name: "ex2 present noskip", cfg: seedExample2, attr: "proxyAddresses", existing: []string{"smtp:" + personal},
			want: []string{"smtp:" + personal}, counts: store.Counts{Unchanged: 1}, again: store.Counts{Unchanged: 1}},
		{name: "ex2 absent skip", cfg: seedExample2, attr: "proxyAddresses", skip: true,
			counts: store.Counts{Unchanged: 1}, again: store.Counts{Unchanged: 1}},
		{name: "ex2 absent noskip", cfg: seedExample2, attr: "proxyAddresses",
			counts: store.Counts{Unchanged: 1}, again: store.Counts{Unchanged: 1}},
		{name: "ex3 present skip", cfg: seedExample3, attr: "proxyAddresses", existing: []string{"smtp:" + personal}, skip: true,
			want: []string{"smtp:" + personal, "smtp:upn"}, counts: store.Counts{Updated: 1}, again: store.Counts{Unchanged: 1}},
		{name: "ex3 present noskip", cfg: seedExample3, attr: "proxyAddresses", existing: []string{"smtp:" + personal},
			want: []string{"smtp:" + personal, "smtp:upn"}, counts: store.Counts{Updated: 1}, again: store.Counts{Unchanged: 1}},
		{name: "ex3 absent skip", cfg: seedExample3, attr: "proxyAddresses", skip: true,
			want: []string{"smtp:upn"}, counts: store.Counts{Updated: 1}, again: store.Counts{Unchanged: 1}},
		{name: "ex3 absent noskip", cfg: seedExample3, attr: "proxyAddresses",
			want: []string{"smtp:upn"}, counts: store.Counts{Updated: 1}, again: store.Counts{Unchanged: 1}},
		{name: "ex4 present skip", cfg: ex4, attr: cloudAttr, existing: []string{"legacy-value"}, skip: true,
			want: []string{"legacy-value"}, counts: store.Counts{Skipped: 1}, again: store.Counts{Skipped: 1}},
		{name: "ex4 present noskip", cfg: ex4, attr: cloudAttr, existing: []string{"legacy-value"},
			want: []string{"UPN"}, counts: store.Counts{Updated: 1}, again: store.Counts{Unchanged: 1}},
		{name: "ex4 absent skip", cfg: ex4, attr: cloudAttr, skip: true,
			want: []string{"UPN"}, counts: store.Counts{Updated: 1}, again: store.Counts{Unchanged: 1}},
		{name: "ex4 absent noskip", cfg: ex4, attr: cloudAttr,
			want: []string{"UPN"}, counts: store.Counts{Updated: 1}, again: store.Counts{Unchanged: 1}},
		{name: "ex5 present skip", cfg: seedExample5, attr: "mail", existing: []string{personal}, skip: true,
			want: []string{personal}, counts: store.Counts{Skipped: 1}, again: store.Counts{Skipped: 1}},
		{name: "ex5 present noskip", cfg: seedExample5, attr: "mail", existing: []string{personal},
			want: []string{"upn"}, counts: store.Counts{Updated: 1}, again: store.Counts{Unchanged: 1}},
		{name: "ex5 absent skip", cfg: seedExample5, attr: "mail", skip: true,
			want: []string{"upn"}, counts: store.Counts{Updated: 1}, again: store.Counts{Unchanged: 1}},
		{name: "ex5 absent noskip", cfg: seedExample5, attr: "mail",
			want: []string{"upn"}, counts: store.Counts{Updated: 1}, again: store.Counts{Unchanged: 1}},
		// multiValued off on a multi-valued attribute with skip off: the
		// values cannot be replaced by one without deleting values usersync
		// does not own, so the user fails and they stay.
		{name: "single-valued setting on several values", attr: "proxyAddresses",
			cfg:      strings.Replace(seedExample5, `"targetAttribute":"mail"`, `"targetAttribute":"proxyAddresses"`, 1),
			existing: []string{"SMTP:carl@corp.test", "X500:/o=Org/cn=carl"},
			want:     []string{"SMTP:carl@corp.test", "X500:/o=Org/cn=carl"}, counts: store.Counts{Failed: 1}, again: store.Counts{Failed: 1}},
	}
	dc := samba.Start(t)
	// Each row has its own user, Carl.KvN@example.test in department exkvN,
	// so that the rows' runs do not see each other's users.
	sam := func(i int) string { return fmt.Sprintf("carl.kv%d", i) }
	upnOf := func(i int) string { return fmt.Sprintf("Carl.Kv%d@example.test", i) }
	dept := func(i int) string { return fmt.Sprintf("exkv%d", i) }
	dc.AddUsers(t, len(rows), func(i int) samba.UserSpec {
		var attrs map[string][]string
		if e := rows[i].existing; len(e) > 0 {
			attrs = map[string][]string{rows[i].attr: e}
		}
		return adUser(sam(i), upnOf(i), dept(i), attrs)
	})
	c := newADCLI(t, dc)
	for i, tt := range rows {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			if !tt.skip {
				cfg = strings.Replace(cfg, `"skipIfAlreadyPresent":true`, `"skipIfAlreadyPresent":false`, 1)
			}
			name := fmt.Sprintf("rpkv%d", i)
			c.apply(c.doc(name, "relyingParty", fmt.Sprintf("(&(objectClass=user)(department=%s))", dept(i)), cfg))
			// "UPN" stands for the UPN as it is, "upn" for it lowercased.
			want := make([]string, len(tt.want))
			for j, w := range tt.want {
				w = strings.ReplaceAll(w, "UPN", upnOf(i))
				want[j] = strings.ReplaceAll(w, "upn", strings.ToLower(upnOf(i)))
			}
			dn := "CN=" + sam(i) + "," + samba.UsersDN
			// A dry run plans what the run does and writes nothing.
			dry, code := c.sync(name, "--dry-run")
			if code != 0 {
				t.Fatalf("dry run: code %d %+v", code, dry)
			}
			wantCounts(t, dry, tt.counts)
			wantValues(t, dc, dn, tt.attr, tt.existing...)
			for run, counts := range []store.Counts{tt.counts, tt.again} {
				rep, code := c.sync(name)
				if code != 0 || rep.Status != store.RunSucceeded {
					t.Fatalf("run %d: code %d %+v", run+1, code, rep)
				}
				wantCounts(t, rep, counts)
				wantValues(t, dc, dn, tt.attr, want...)
				if counts.Failed == 1 {
					if out := c.outcomes(rep.ID, "failed"); !strings.Contains(out, "holds 2 values") || !strings.Contains(out, "multiValued is off") {
						t.Errorf("run %d: failed outcome does not say why:\n%s", run+1, out)
					}
				}
				if counts.Skipped == 1 {
					out := c.outcomes(rep.ID, "skipped")
					for _, s := range []string{upnOf(i), tt.existing[0], tt.attr} {
						if !strings.Contains(out, s) {
							t.Errorf("run %d: skipped outcome lacks %q:\n%s", run+1, s, out)
						}
					}
				}
			}
		})
	}
}

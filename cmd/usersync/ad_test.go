package main

import (
	"fmt"
	"strings"
	"testing"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/store"
	"github.com/usersync/usersync/internal/testdir/samba"
)

// TestADFullSync: a full sync of an Active Directory imports the enabled
// users with their UPN as userId and objectGUID as externalId.
func TestADFullSync(t *testing.T) {
	dc, c := startAD(t, nil)
	rep := c.mustSync("ad")
	if rep.Mode != store.ModeFull || rep.EntriesRead != adUsers {
		t.Fatalf("first run: mode %s, %d entries read; want full, %d", rep.Mode, rep.EntriesRead, adUsers)
	}
	wantCounts(t, rep, store.Counts{Created: 900, Skipped: 100})
	users := c.users()
	if len(users) != 900 || countStatus(users, store.StatusActive) != 900 {
		t.Fatalf("%d users (%d active), want 900 active", len(users), countStatus(users, store.StatusActive))
	}
	u := user(t, users, "user00001@example.test")
	if want := guidOf(t, dc, samba.GeneratedUserDN(1)); u.ExternalID != want {
		t.Fatalf("externalId %q, want objectGUID %q", u.ExternalID, want)
	}
	if _, ok := users["user00010@example.test"]; ok {
		t.Fatal("disabled user00010 was provisioned")
	}
	rep = c.mustSync("ad")
	if rep.Mode != store.ModeIncremental {
		t.Fatalf("second run is %s, want incremental", rep.Mode)
	}
	wantCounts(t, rep, store.Counts{})
}

// TestADRename: three users get a new sAMAccountName and
// UPN prefix. In anchor mode the same app users follow; in upn mode new
// users appear and the old ones are deactivated. Both on an incremental and
// a full run.
func TestADRename(t *testing.T) {
	for _, tc := range []struct {
		mode string
		full bool
	}{
		{"anchor", false}, {"anchor", true}, {"upn", false}, {"upn", true},
	} {
		name := tc.mode + "/incremental"
		if tc.full {
			name = tc.mode + "/full"
		}
		t.Run(name, func(t *testing.T) {
			dc, c := startAD(t, map[string]any{"identityMode": tc.mode})
			c.mustSync("ad")
			before := c.users()
			for _, i := range []int{1, 2, 3} {
				dn := samba.GeneratedUserDN(i)
				dc.Replace(t, dn, "sAMAccountName", fmt.Sprintf("userRenamed%05d", i))
				dc.Replace(t, dn, "userPrincipalName", fmt.Sprintf("userRenamed%05d@example.test", i))
			}
			var extra []string
			if tc.full {
				extra = append(extra, "--full")
			}
			rep := c.mustSync("ad", extra...)
			after := c.users()
			if tc.mode == "anchor" {
				wantCounts(t, rep, store.Counts{Updated: 3, Unchanged: unchangedIf(tc.full, 897), Skipped: unchangedIf(tc.full, 100)})
				for _, i := range []int{1, 2, 3} {
					old := user(t, before, fmt.Sprintf("user%05d@example.test", i))
					u := user(t, after, fmt.Sprintf("userRenamed%05d@example.test", i))
					if u.ID != old.ID || u.Status != store.StatusActive || u.ExternalID != old.ExternalID {
						t.Fatalf("renamed user %d: %+v, want the same app user as %+v", i, u, old)
					}
				}
				if len(after) != 900 {
					t.Fatalf("%d users after rename, want 900", len(after))
				}
				return
			}
			wantCounts(t, rep, store.Counts{Created: 3, Deactivated: 3, Unchanged: unchangedIf(tc.full, 897), Skipped: unchangedIf(tc.full, 100)})
			for _, i := range []int{1, 2, 3} {
				old := user(t, after, fmt.Sprintf("user%05d@example.test", i))
				u := user(t, after, fmt.Sprintf("userRenamed%05d@example.test", i))
				if old.Status != store.StatusInactive || u.Status != store.StatusActive || u.ID == old.ID {
					t.Fatalf("user %d: old %+v, new %+v; want old inactive and a new active user", i, old, u)
				}
				if u.ExternalID != guidOf(t, dc, samba.GeneratedUserDN(i)) {
					t.Fatalf("new user %d links to %q, want its objectGUID", i, u.ExternalID)
				}
			}
			// Nothing flaps on the next run.
			wantCounts(t, c.mustSync("ad", extra...), store.Counts{Unchanged: unchangedIf(tc.full, 900), Skipped: unchangedIf(tc.full, 100)})
		})
	}
}

// unchangedIf is n on a full run and 0 on an incremental one, which reads
// only what changed (so it neither counts unchanged users nor skips the
// disabled ones again).
func unchangedIf(full bool, n int) int {
	if full {
		return n
	}
	return 0
}

// TestADAccountState: disable two, lock one, delete two:
// four are deactivated and the locked-out one stays active, because a
// locked-out account is still an account of the directory.
func TestADAccountState(t *testing.T) {
	for _, full := range []bool{false, true} {
		t.Run(fmt.Sprintf("full=%v", full), func(t *testing.T) {
			dc, c := startAD(t, nil)
			c.mustSync("ad")
			dc.Disable(t, samba.GeneratedUserDN(11))
			dc.Disable(t, samba.GeneratedUserDN(12))
			dc.LockOut(t, samba.GeneratedUserDN(13))
			dc.Delete(t, samba.GeneratedUserDN(14))
			dc.Delete(t, samba.GeneratedUserDN(15))
			var extra []string
			if full {
				extra = append(extra, "--full")
			}
			rep := c.mustSync("ad", extra...)
			if full {
				wantCounts(t, rep, store.Counts{Deactivated: 4, Unchanged: 896, Skipped: 100})
			} else if rep.Deactivated != 4 || rep.Created+rep.Updated+rep.Failed != 0 {
				t.Fatalf("incremental run: %+v, want 4 deactivated and nothing else", rep.Counts)
			}
			users := c.users()
			for i, want := range map[int]string{11: store.StatusInactive, 12: store.StatusInactive, 13: store.StatusActive,
				14: store.StatusInactive, 15: store.StatusInactive, 16: store.StatusActive} {
				if u := user(t, users, fmt.Sprintf("user%05d@example.test", i)); u.Status != want {
					t.Errorf("user%05d is %s, want %s", i, u.Status, want)
				}
			}
		})
	}
}

// TestADIncremental: after ten changes an incremental run
// reads fewer than 50 entries and applies exactly those changes.
func TestADIncremental(t *testing.T) {
	dc, c := startAD(t, nil)
	c.mustSync("ad")
	for i := 21; i <= 24; i++ { // 4 updates
		dc.Replace(t, samba.GeneratedUserDN(i), "displayName", fmt.Sprintf("Changed %d", i))
	}
	dc.Disable(t, samba.GeneratedUserDN(25)) // 2 deactivations by disable
	dc.Disable(t, samba.GeneratedUserDN(26))
	dc.Delete(t, samba.GeneratedUserDN(27)) // 2 deactivations by delete
	dc.Delete(t, samba.GeneratedUserDN(28))
	dc.AddUsers(t, 2, func(i int) samba.UserSpec { // 2 creates
		return samba.UserSpec{SAMAccountName: fmt.Sprintf("userNew%d", i), Mail: fmt.Sprintf("new%d@example.test", i)}
	})
	rep := c.mustSync("ad")
	if rep.Mode != store.ModeIncremental || rep.EntriesRead >= 50 {
		t.Fatalf("run is %s and read %d entries; want incremental, under 50", rep.Mode, rep.EntriesRead)
	}
	wantCounts(t, rep, store.Counts{Created: 2, Updated: 4, Deactivated: 4})
	out, _ := c.run("runs", "show", fmt.Sprint(rep.ID))
	if !strings.Contains(out, "incremental") {
		t.Fatalf("runs show does not say incremental:\n%s", out)
	}
	if u := user(t, c.users(), "userNew0@example.test"); u.Status != store.StatusActive {
		t.Fatalf("new user: %+v", u)
	}
	// Nothing changed since: nothing to do. --full reads everything again
	// and agrees.
	wantCounts(t, c.mustSync("ad"), store.Counts{})
	rep = c.mustSync("ad", "--full")
	if rep.Mode != store.ModeFull {
		t.Fatalf("--full ran %s", rep.Mode)
	}
	// 898 active and the two disabled ones, already inactive.
	wantCounts(t, rep, store.Counts{Unchanged: 900, Skipped: 100})
}

// TestADMailFallback: a user without a UPN is skipped with a
// reason. The mail fallback of configureTwo belongs to relying parties (the
// Advanced UPN Sync Settings exist there only), so a source connection
// refuses the document instead of quietly linking users by mail.
func TestADMailFallback(t *testing.T) {
	dc, c := startAD(t, nil)
	dn := samba.GeneratedUserDN(31)
	del := ldapv3.NewModifyRequest(dn, nil)
	del.Delete("userPrincipalName", nil)
	dc.Modify(t, del)
	rep := c.mustSync("ad")
	wantCounts(t, rep, store.Counts{Created: 899, Skipped: 101})
	if out := c.outcomes(rep.ID, "skipped"); !strings.Contains(out, "no userPrincipalName") {
		t.Fatalf("no reason for the user without a UPN:\n%s", out)
	}
	doc := adDoc(dc, map[string]any{"configureTwo": `{"schemaVersion":1,"mailFallbackOnMissingUpn":{"enabled":true}}`})
	out, code := c.run("connection", "apply", "-f", writeJSONFile(t, doc))
	if code != exitUsage || !strings.Contains(out, "configureTwo") || !strings.Contains(out, "relying parties only") {
		t.Fatalf("configureTwo on a source: exit %d\n%s", code, out)
	}
	rep = c.mustSync("ad")
	wantCounts(t, rep, store.Counts{Unchanged: 899, Skipped: 101})
}

// TestADDomainMove: a user whose UPN suffix moves to
// another domain is a new app user; the old one is deactivated. A suffix
// outside upnSuffixes fails that user with a reason.
func TestADDomainMove(t *testing.T) {
	dc, c := startAD(t, map[string]any{"upnSuffixes": []string{"example.test", "corp.example.test"}, "requireFqdnUpn": true})
	c.mustSync("ad")
	dc.Replace(t, samba.GeneratedUserDN(41), "userPrincipalName", "user00041@corp.example.test")
	dc.Replace(t, samba.GeneratedUserDN(42), "userPrincipalName", "user00042@elsewhere.test")
	dc.Replace(t, samba.GeneratedUserDN(43), "userPrincipalName", "user00043@corp")
	rep, code := c.sync("ad")
	if code != 0 {
		t.Fatalf("sync: %d %+v", code, rep)
	}
	wantCounts(t, rep, store.Counts{Created: 1, Deactivated: 1, Failed: 2})
	users := c.users()
	if old, moved := user(t, users, "user00041@example.test"), user(t, users, "user00041@corp.example.test"); old.Status != store.StatusInactive || moved.Status != store.StatusActive {
		t.Fatalf("moved user: old %+v, new %+v", old, moved)
	}
	failed := c.outcomes(rep.ID, "failed")
	for _, want := range []string{"not an accepted UPN suffix", "not a fully qualified domain name"} {
		if !strings.Contains(failed, want) {
			t.Errorf("failed outcomes lack %q:\n%s", want, failed)
		}
	}
	// The failed users keep their app users as they were.
	if u := user(t, users, "user00042@example.test"); u.Status != store.StatusActive {
		t.Fatalf("user with a refused suffix: %+v", u)
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	ldapv3 "github.com/go-ldap/ldap/v3"

	"github.com/usersync/usersync/internal/mapping"
	"github.com/usersync/usersync/internal/reconcile"
	"github.com/usersync/usersync/internal/testdir/samba"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// Active Directory (-ad N): the same rows as the OpenLDAP harness against a
// throwaway Samba AD DC holding N generated users (samba.GeneratedUser,
// every tenth disabled, so nine in ten are provisioned) and the groups of
// -groups (100 of 1,000 members, one of 20,000), read through the groups'
// member attribute in ranges. The DC is copied from a stopped directory
// kept in a cache (samba.StartCached), because adding tens of thousands of
// users to Samba takes minutes.

// adFilter selects the generated users: the DC also holds Administrator,
// Guest and krbtgt in CN=Users.
const adFilter = "(&(objectClass=user)(objectCategory=person)(sAMAccountName=user*))"

// adCacheDir is where built directories are kept unless -ad-cache says
// otherwise: $XDG_CACHE_HOME/usersync-bench or ~/.cache/usersync-bench.
func adCacheDir() string {
	d, err := os.UserCacheDir()
	if err != nil {
		d = os.TempDir()
	}
	return filepath.Join(d, "usersync-bench")
}

// adGroups lays the groups out as appendGroups does for OpenLDAP.
func adGroups(n int) []samba.Group {
	var gs []samba.Group
	next := 0
	for g := 1; g <= benchGroups; g++ {
		seen := map[int]bool{}
		var members []int
		for k := 0; k < min(benchGroupSize, n); k++ {
			i := next%n + 1
			next++
			if !seen[i] {
				seen[i] = true
				members = append(members, i)
			}
		}
		gs = append(gs, samba.Group{Name: slapd.GroupName(g), Members: members})
	}
	big := samba.Group{Name: bigGroupName}
	for i := 1; i <= min(benchBigGroupLen, n); i++ {
		big.Members = append(big.Members, i)
	}
	return append(gs, big)
}

// adBench runs the rows of one directory size against a DC.
type adBench struct {
	*harness
	dc     *samba.DC
	caFile string
	// enabled is how many users a sync provisions; memberships how many
	// rule memberships their groups give.
	enabled, memberships int
}

func benchAD(ctx context.Context, cfg config, bin, dir string, n int, cacheDir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	groups := adGroups(n)
	fmt.Fprintf(os.Stderr, "bench: ad n=%d: starting a Samba DC from the cache in %s\n", n, cacheDir)
	dc, info, err := samba.StartCached(ctx, samba.CachedOptions{Users: n, Groups: groups, CacheDir: cacheDir, Log: os.Stderr})
	if err != nil {
		return err
	}
	defer dc.Close()
	b := &adBench{harness: &harness{cfg: cfg, bin: bin, dir: dir, n: n}, dc: dc, caFile: filepath.Join(dir, "ca.pem")}
	if err := os.WriteFile(b.caFile, dc.CAPEM, 0o644); err != nil {
		return err
	}
	for i := 1; i <= n; i++ {
		if !samba.GeneratedUser(i).Disabled {
			b.enabled++
		}
	}
	for _, g := range groups {
		for _, i := range g.Members {
			if !samba.GeneratedUser(i).Disabled {
				b.memberships++
			}
		}
	}
	res, err := b.measure(ctx)
	if err != nil {
		return fmt.Errorf("ad n=%d: %w", n, err)
	}
	res.LoadDuration = info.Total
	var md bytes.Buffer
	printADTable(&md, res)
	fmt.Fprintf(&md, "\nDirectory build: reused=%v, built in %v (provision %v)\n", info.Reused, info.Total.Round(time.Second), info.Provision.Round(time.Second))
	for _, s := range info.Steps {
		fmt.Fprintf(&md, "  %-18s after %6d users: %7.1f s wall, %7.1f s CPU, %5d MB\n", s.What, s.Before, s.Wall.Seconds(), s.CPU.Seconds(), s.MaxRSS>>20)
	}
	os.Stdout.Write(md.Bytes())
	out := filepath.Join(cfg.outDir, "ad")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, fmt.Sprintf("results-%d.md", n)), md.Bytes(), 0o644); err != nil {
		return err
	}
	raw, err := json.MarshalIndent(struct {
		Result result          `json:"result"`
		Build  samba.BuildInfo `json:"build"`
	}{res, info}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, fmt.Sprintf("results-%d.json", n)), raw, 0o644)
}

func (b *adBench) measure(ctx context.Context) (result, error) {
	n, reps := b.n, b.cfg.reps
	res := result{N: n, Reference: rowLdapsearch, Changed: max(n/100, 1)}
	ref, err := b.repeat(ctx, rowLdapsearch, reps, func(int) (sample, error) { return b.reference(ctx) })
	if err != nil {
		return res, err
	}
	full, err := b.repeat(ctx, rowFull, reps, func(i int) (sample, error) {
		if err := b.freshStore(ctx); err != nil {
			return sample{}, err
		}
		return b.sync(ctx, fmt.Sprintf("ad-full-%d", i), func(r reconcile.Report) error {
			if r.Created != b.enabled {
				return fmt.Errorf("created %d, want %d", r.Created, b.enabled)
			}
			return nil
		})
	})
	if err != nil {
		return res, err
	}
	resync, err := b.repeat(ctx, rowResync, reps, func(i int) (sample, error) {
		return b.sync(ctx, fmt.Sprintf("ad-resync-%d", i), func(r reconcile.Report) error {
			if r.Updated != 0 || r.Created != 0 {
				return fmt.Errorf("updated %d created %d, want none", r.Updated, r.Created)
			}
			return nil
		}, "--full")
	})
	if err != nil {
		return res, err
	}
	changed, err := b.repeat(ctx, rowChanged, reps, func(i int) (sample, error) {
		if err := b.changeUsers(ctx, i, res.Changed); err != nil {
			return sample{}, err
		}
		return b.sync(ctx, fmt.Sprintf("ad-changed-%d", i), func(r reconcile.Report) error {
			if r.Updated != b.changedEnabled(res.Changed) {
				return fmt.Errorf("updated %d, want %d", r.Updated, b.changedEnabled(res.Changed))
			}
			return nil
		}, "--full")
	})
	if err != nil {
		return res, err
	}
	incr, err := b.repeat(ctx, rowIncrementalUSN, reps, func(i int) (sample, error) {
		if err := b.changeUsers(ctx, reps+i, res.Changed); err != nil {
			return sample{}, err
		}
		return b.sync(ctx, fmt.Sprintf("ad-incremental-%d", i), func(r reconcile.Report) error {
			if r.Mode != "incremental" || r.Updated != b.changedEnabled(res.Changed) {
				return fmt.Errorf("mode %s, updated %d, want incremental and %d", r.Mode, r.Updated, b.changedEnabled(res.Changed))
			}
			return nil
		})
	})
	if err != nil {
		return res, err
	}
	res.Rows = []measurement{ref, full, resync, changed, incr}
	return res, nil
}

// rowIncrementalUSN is the incremental row on AD, where changes are read
// by uSNChanged.
const rowIncrementalUSN = "incremental (uSNChanged), 1% changed"

// changedUsers are the users changeUsers modifies: every hundredth.
func (b *adBench) changedUsers(count int) []int {
	step := max(b.n/count, 1)
	us := make([]int, count)
	for k := range us {
		us[k] = 1 + k*step
	}
	return us
}

// changedEnabled is how many of the changed users are provisioned.
func (b *adBench) changedEnabled(count int) int {
	c := 0
	for _, i := range b.changedUsers(count) {
		if !samba.GeneratedUser(i).Disabled {
			c++
		}
	}
	return c
}

// changeUsers modifies the title of every hundredth user (a different value
// per repetition) over LDAPS as the Administrator.
func (b *adBench) changeUsers(ctx context.Context, rep, count int) error {
	l, err := b.dc.DialContext(ctx)
	if err != nil {
		return err
	}
	defer l.Close()
	for _, i := range b.changedUsers(count) {
		if err := ctx.Err(); err != nil {
			return err
		}
		req := ldapv3.NewModifyRequest(samba.GeneratedUserDN(i), nil)
		req.Replace("title", []string{"Changed " + strconv.Itoa(rep) + " " + strconv.Itoa(i)})
		if err := l.Modify(req); err != nil {
			return fmt.Errorf("modify %s: %w", samba.GeneratedUserDN(i), err)
		}
	}
	return nil
}

// reference is ldapsearch over LDAPS of the users' synced attributes, then
// of the groups' cn and member, one process after the other.
func (b *adBench) reference(ctx context.Context) (sample, error) {
	m, err := mapping.Compile(mapping.ActiveDirectory())
	if err != nil {
		return sample{}, err
	}
	attrs := append([]string{"objectGUID", "userAccountControl"}, m.Attributes()...)
	s, err := b.ldapsearch(ctx, adFilter, attrs)
	if err != nil {
		return s, err
	}
	g, err := b.ldapsearch(ctx, "(&(objectClass=group)(sAMAccountName=group*))", []string{"cn", "member"})
	if err != nil {
		return s, err
	}
	s = s.plus(g)
	big, err := b.ldapsearch(ctx, "(sAMAccountName="+bigGroupName+")", []string{"cn", "member"})
	return s.plus(big), err
}

func (b *adBench) ldapsearch(ctx context.Context, filter string, attrs []string) (sample, error) {
	args := append([]string{"-x", "-LLL", "-o", "ldif-wrap=no", "-H", b.dc.LDAPSURL(), "-D", b.dc.AdminDN, "-w", b.dc.AdminPassword,
		"-b", samba.UsersDN, "-E", "pr=1000/noprompt", filter}, attrs...)
	cmd := exec.CommandContext(ctx, "ldapsearch", args...)
	cmd.Env = append(os.Environ(), "LDAPTLS_CACERT="+b.caFile, "LDAPTLS_REQCERT=demand")
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return sample{}, err
	}
	defer devnull.Close()
	cmd.Stdout = devnull
	return timed(cmd)
}

// freshStore starts every full sync from a copy of one template store that
// holds the connection and an application group per directory group.
func (b *adBench) freshStore(ctx context.Context) error {
	tmpl := filepath.Join(b.dir, "template.db")
	if _, err := os.Stat(tmpl); err != nil {
		b.dbOverride = tmpl
		err := b.applyConnection(ctx)
		for g := 1; err == nil && g <= benchGroups+1; g++ {
			name := bigGroupName
			if g <= benchGroups {
				name = slapd.GroupName(g)
			}
			_, err = timed(b.usersync(ctx, "group", "add", name))
		}
		b.dbOverride = ""
		if err != nil {
			return fmt.Errorf("template store: %w", err)
		}
		if err := checkpoint(ctx, tmpl); err != nil {
			return err
		}
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(b.dbPath() + suffix); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	data, err := os.ReadFile(tmpl)
	if err != nil {
		return err
	}
	return os.WriteFile(b.dbPath(), data, 0o600)
}

// applyConnection registers the AD connection: verified LDAPS, the
// Administrator, memberships from the groups' member attribute (read in
// ranges of at most 1,500 values, as AD sends them).
func (b *adBench) applyConnection(ctx context.Context) error {
	doc, err := json.Marshal(map[string]any{
		"name": "bench", "friendlyName": "Benchmark AD", "directoryType": "source", "systemType": "ldap",
		"dnsName": b.dc.Host, "port": 636, "security": "ldaps", "caCertificate": string(b.dc.CAPEM),
		"username": b.dc.AdminDN, "password": b.dc.AdminPassword,
		"searchPath": samba.UsersDN, "searchFilter": adFilter, "groupMembership": "member",
		"deletionGuard": map[string]any{"disabled": true},
	})
	if err != nil {
		return err
	}
	path := filepath.Join(b.dir, "conn.json")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		return err
	}
	_, err = timed(b.usersync(ctx, "connection", "apply", "-f", path))
	return err
}

// sync runs `usersync sync bench --json` and checks the report, then the
// store: every enabled user active, every membership of an enabled user.
func (b *adBench) sync(ctx context.Context, label string, check func(reconcile.Report) error, extra ...string) (sample, error) {
	cmd := b.usersync(ctx, append([]string{"sync", "bench", "--json"}, extra...)...)
	if b.cfg.profile {
		cmd.Env = append(cmd.Env, "USERSYNC_CPUPROFILE="+filepath.Join(b.cfg.outDir, fmt.Sprintf("cpu-%d-%s.pprof", b.n, label)),
			"USERSYNC_MEMPROFILE="+filepath.Join(b.cfg.outDir, fmt.Sprintf("mem-%d-%s.pprof", b.n, label)))
	}
	var out bytes.Buffer
	cmd.Stdout = &out
	s, err := timed(cmd)
	if err != nil {
		return s, err
	}
	var rep reconcile.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		return s, fmt.Errorf("sync printed no report: %w", err)
	}
	s.RunMs = rep.DurationMs
	if rep.Status != "succeeded" || (rep.Mode == "full" && rep.EntriesRead != b.n) {
		return s, fmt.Errorf("run %s, %s, %d entries read (want %d): %s", rep.Status, rep.Mode, rep.EntriesRead, b.n, rep.Error)
	}
	if err := check(rep); err != nil {
		return s, err
	}
	return s, b.checkStore(ctx)
}

func (b *adBench) checkStore(ctx context.Context) error {
	db, err := b.openStore()
	if err != nil {
		return err
	}
	defer db.Close()
	var active, distinct, members int
	err = db.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT external_id) FROM users
		WHERE connection = 'bench' AND source = 'directory' AND status = 'active'`).Scan(&active, &distinct)
	if err != nil {
		return fmt.Errorf("count users: %w", err)
	}
	if active != b.enabled || distinct != b.enabled {
		return fmt.Errorf("store holds %d active users (%d distinct external ids), the directory %d enabled", active, distinct, b.enabled)
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM memberships WHERE source = 'rule:bench'`).Scan(&members); err != nil {
		return fmt.Errorf("count memberships: %w", err)
	}
	if members != b.memberships {
		return fmt.Errorf("store holds %d rule memberships, the directory's groups %d of enabled users", members, b.memberships)
	}
	return nil
}

// printADTable is printTable with the users per second of both 1%-changed
// rows counted over the changed users.
func printADTable(w io.Writer, r result) {
	fmt.Fprintf(w, "| N | run | best s | median s | × ldapsearch | users/s | CPU s | peak RSS MB |\n")
	fmt.Fprintf(w, "|---:|---|---:|---:|---:|---:|---:|---:|\n")
	ref := r.reference()
	for _, m := range r.Rows {
		b := m.best()
		users := r.N
		if m.Name == rowChanged || m.Name == rowIncrementalUSN {
			users = r.Changed
		}
		fmt.Fprintf(w, "| %d | %s | %.3f | %.3f | %.2f | %s | %.3f | %.1f |\n", r.N, m.Name, b.Wall.Seconds(), m.median().Seconds(),
			ratio(b.Wall, ref), perSecond(users, b.Wall), b.CPU.Seconds(), float64(m.maxRSS())/1e6)
	}
}

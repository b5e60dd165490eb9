// Command bench measures usersync against the directory's own read speed, in
// one run, side by side: for each N it starts a throwaway slapd loaded with N
// generated users, times the reference ldapsearch read, then a full sync
// into an empty SQLite store, a re-sync with nothing changed and a sync after
// 1% of the users changed, each as a child process whose peak resident
// memory is read from its rusage. After every run it checks that the store
// holds exactly the directory's users.
//
//	go run ./bench -n 10000,100000
//
// It prints a table, writes it with the raw figures to bench/out/ and draws
// time and memory against N into bench/out/bench.svg and docs/bench.svg.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type config struct {
	sizes    []int
	reps     int
	outDir   string
	svgPath  string
	profile  bool
	keepTemp bool
	// incremental measures an incremental sync (the default when a token is saved); off for binaries older
	// than the flag.
	incremental bool
	// groups adds 100 groups of 1,000 members and one of 20,000 to the
	// directory, and application groups of the same names (bench/groups.go).
	groups bool
	// sequentialIDs leaves the users' entryUUIDs to slapadd, which hands
	// them out in rising order; by default they are scattered, as in a real
	// directory (slapd.WriteUsersScattered).
	sequentialIDs bool
	// postgres keeps the store in a throwaway PostgreSQL cluster
	// (bench/postgres.go).
	postgres bool
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	sizes := fs.String("n", "10000,100000", "comma-separated directory sizes")
	million := fs.Bool("million", false, "also measure 1,000,000 users (about 3 GB of temporary disk, several minutes)")
	reps := fs.Int("reps", 3, "repetitions of each measurement; the table shows the best (fastest) one")
	outDir := fs.String("out", "bench/out", "directory for results.md, results.json, bench.svg and profiles")
	svg := fs.String("svg", "docs/bench.svg", "where to copy the chart (empty: do not copy)")
	profile := fs.Bool("cpuprofile", false, "write a CPU profile of each usersync run to the out directory")
	keep := fs.Bool("keep", false, "keep the temporary directories (slapd data, stores)")
	incremental := fs.Bool("incremental", true, "also measure an incremental sync after 1% changed (turn off for binaries without incremental reads)")
	groups := fs.Bool("groups", false, "add 100 groups of 1,000 members and one of 20,000, each also an application group")
	sequentialIDs := fs.Bool("sequential-ids", false, "let slapadd number the users' entryUUIDs in rising order (the figures before scattered ids) instead of scattering them as a real directory's are")
	pg := fs.Bool("postgres", false, "keep the store in a throwaway PostgreSQL cluster (--db postgres://…) instead of SQLite")
	binFlag := fs.String("bin", "", "use this usersync binary instead of building ./cmd/usersync (to compare two versions)")
	entraSizes := fs.String("entra", "", "measure Entra ID tenants of these sizes from the local Graph instead (e.g. 100000; see entra.go)")
	scim := fs.Duration("scim", 0, "instead, measure SCIM POST and PATCH requests per second against usersync serve for this long (e.g. 20s)")
	scimClients := fs.Int("scim-clients", 16, "concurrent SCIM clients of -scim")
	adSize := fs.Int("ad", 0, "instead, measure a Samba AD DC with this many users and the -groups groups (see ad.go)")
	adCache := fs.String("ad-cache", adCacheDir(), "where -ad keeps built Samba directories between runs")
	ldapServe := fs.Int("ldapserve", 0, "instead, time LDAP searches on uid and mail against usersync's LDAP interface over this many stored users")
	scaleout := fs.Bool("scaleout", false, "instead, measure runs per minute of one `usersync serve` against two on one PostgreSQL (see scaleout.go)")
	scaleoutUsers := fs.Int("scaleout-users", 5000, "users of each -scaleout connection")
	scaleoutWindow := fs.Duration("scaleout-window", time.Minute, "how long -scaleout keeps the connections busy after the first load")
	scaleoutServes := fs.String("scaleout-serves", "1,2,2,1", "the -scaleout trials: how many serve processes each runs, in order (alternated against drift in the machine's load)")
	scaleoutTick := fs.Duration("scaleout-tick", 0, "--tick of each -scaleout serve (0: its default, 1s)")
	scaleoutPool := fs.Int("scaleout-pool", 0, "PostgreSQL pool size of each -scaleout serve (0: pgx's default)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *ldapServe > 0 {
		return benchLDAPServe(ctx, os.Stdout, os.TempDir(), *ldapServe, 500)
	}
	cfg := config{reps: max(*reps, 1), outDir: *outDir, svgPath: *svg, profile: *profile, keepTemp: *keep, incremental: *incremental, groups: *groups, postgres: *pg, sequentialIDs: *sequentialIDs}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(strings.ReplaceAll(s, "_", "")))
		if err != nil || n <= 0 {
			return fmt.Errorf("bad -n value %q: want positive integers separated by commas", s)
		}
		cfg.sizes = append(cfg.sizes, n)
	}
	if *million {
		cfg.sizes = append(cfg.sizes, 1_000_000)
	}
	if err := os.MkdirAll(cfg.outDir, 0o755); err != nil {
		return fmt.Errorf("create out dir: %w", err)
	}
	tmp, err := os.MkdirTemp("", "usersync-bench-")
	if err != nil {
		return fmt.Errorf("temp dir: %w", err)
	}
	if !cfg.keepTemp {
		defer os.RemoveAll(tmp)
	} else {
		fmt.Fprintln(os.Stderr, "bench: keeping", tmp)
	}
	bin := *binFlag
	if bin == "" {
		if bin, err = buildUsersync(ctx, tmp); err != nil {
			return err
		}
	}
	if *scaleout {
		cfg := scaleoutConfig{conns: 20, users: max(*scaleoutUsers, 1), window: *scaleoutWindow, pool: *scaleoutPool, tick: *scaleoutTick}
		for _, v := range strings.Split(*scaleoutServes, ",") {
			k, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || k <= 0 {
				return fmt.Errorf("bad -scaleout-serves value %q: want positive integers separated by commas", v)
			}
			cfg.instances = append(cfg.instances, k)
		}
		return runScaleOut(ctx, cfg, bin, tmp, *outDir)
	}
	if *entraSizes != "" {
		return benchEntra(ctx, bin, tmp, *entraSizes)
	}
	if *adSize > 0 {
		return benchAD(ctx, cfg, bin, filepath.Join(tmp, "ad"), *adSize, *adCache)
	}
	if *scim > 0 {
		return runSCIMBench(ctx, scimConfig{duration: *scim, concurrency: max(*scimClients, 1), outDir: cfg.outDir, profile: *profile}, bin, tmp)
	}
	var results []result
	for _, n := range cfg.sizes {
		r, err := measure(ctx, cfg, bin, filepath.Join(tmp, strconv.Itoa(n)), n)
		if err != nil {
			return fmt.Errorf("n=%d: %w", n, err)
		}
		results = append(results, r)
		printTable(os.Stdout, results[len(results)-1:])
	}
	fmt.Println()
	printTable(os.Stdout, results)
	fmt.Printf("\nharness peak RSS %.1f MB (children can report the parent's RSS at exec as their own)\n", float64(selfMaxRSS())/1e6)
	return writeOutputs(cfg, results)
}

// writeOutputs saves the table, the raw figures and the chart.
func writeOutputs(cfg config, results []result) error {
	var errs []error
	errs = append(errs, writeResults(cfg.outDir, results))
	chart := renderChart(results)
	errs = append(errs, os.WriteFile(filepath.Join(cfg.outDir, "bench.svg"), chart, 0o644))
	if cfg.svgPath != "" {
		if err := os.MkdirAll(filepath.Dir(cfg.svgPath), 0o755); err != nil {
			errs = append(errs, err)
		}
		errs = append(errs, os.WriteFile(cfg.svgPath, chart, 0o644))
	}
	return errors.Join(errs...)
}

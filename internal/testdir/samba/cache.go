package samba

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/usersync/usersync/internal/testdir/certs"
)

// Large directories for benchmarks.
//
// ldbadd into a Samba database costs time that grows with the size of the
// database, because every add appends the new object to index records that
// hold every object of its class (objectClass=user, objectCategory=person,
// sAMAccountType, primaryGroupID, userAccountControl and the one-level index
// of CN=Users each list all users). By default each add runs in its own
// nested transaction, and ldb copies every index record it changes for that
// nested transaction, so one add copies several arrays as long as the
// directory. With the ldb option batch_mode the nested transactions are
// skipped (a failed add then aborts the whole ldbadd), which removes that
// copy; what remains grows much more slowly. A directory of tens of
// thousands of users is still minutes of work, so it is built once, in
// chunks, and kept in a cache directory that later runs reuse.

// cacheVersion names the generator: change it whenever GeneratedUser or
// the build changes, so that old caches are not used (the counts and the
// groups are part of the cache key themselves).
const cacheVersion = "v1"

// Group is a group of generated users for a cached directory.
type Group struct {
	// Name is the group's cn and sAMAccountName.
	Name string
	// Members are the numbers i of GeneratedUser(i).
	Members []int
}

// CachedOptions describe a directory for StartCached.
type CachedOptions struct {
	// Users is how many generated users (GeneratedUser(1..Users)) it holds.
	Users int
	// Groups are global security groups in CN=Users.
	Groups []Group
	// CacheDir is where built directories are kept (required).
	CacheDir string
	// Chunk is how many users one ldbadd run adds (default 5,000).
	Chunk int
	// Log receives a line per build step when not nil.
	Log io.Writer
}

// BuildStep is one ldbadd run of a build.
type BuildStep struct {
	// What says what it added, "users 1-5000" or "groups".
	What string `json:"what"`
	// Before is how many users the database held before this step.
	Before int `json:"before"`
	// Wall and CPU are ldbadd's elapsed and user+system time.
	Wall time.Duration `json:"wallNs"`
	CPU  time.Duration `json:"cpuNs"`
	// MaxRSS is ldbadd's peak resident memory in bytes.
	MaxRSS int64 `json:"maxRssBytes"`
}

// BuildInfo describes how a cached directory was built.
type BuildInfo struct {
	// Dir is the cache entry.
	Dir string `json:"dir"`
	// Reused is true when the entry existed and nothing was built.
	Reused bool `json:"-"`
	// Provision is the time samba-tool domain provision took.
	Provision time.Duration `json:"provisionNs"`
	// Total is the whole build, provisioning included.
	Total time.Duration `json:"totalNs"`
	// Steps are the ldbadd runs in order.
	Steps []BuildStep `json:"steps"`
}

// cacheMeta is the cache entry's meta.json.
type cacheMeta struct {
	Password string    `json:"password"`
	Build    BuildInfo `json:"build"`
}

// StartCached starts a DC holding the users and groups of opts, from a
// stopped copy kept under opts.CacheDir, which it builds first when missing.
// The entry's name is derived from the users, the groups and cacheVersion.
func StartCached(ctx context.Context, opts CachedOptions) (*DC, BuildInfo, error) {
	if err := Available(); err != nil {
		return nil, BuildInfo{}, err
	}
	if opts.CacheDir == "" {
		return nil, BuildInfo{}, fmt.Errorf("samba: cached directory: no cache directory")
	}
	if _, err := lookBin("ldbadd"); err != nil {
		return nil, BuildInfo{}, fmt.Errorf("samba: cached directory needs ldb-tools: %w", err)
	}
	entry := filepath.Join(opts.CacheDir, "samba-"+strconv.Itoa(opts.Users)+"-"+cacheKey(opts))
	meta, err := readMeta(entry)
	if err != nil {
		if meta, err = buildCached(ctx, opts, entry); err != nil {
			return nil, BuildInfo{}, err
		}
	} else {
		meta.Build.Reused = true
	}
	ca, err := certs.NewCA("usersync test CA")
	if err != nil {
		return nil, BuildInfo{}, fmt.Errorf("samba: cached directory: %w", err)
	}
	tm := &template{dir: filepath.Join(entry, "dc"), password: meta.Password, ca: ca}
	dc, err := startFrom(ctx, tm)
	if err != nil {
		return nil, BuildInfo{}, err
	}
	return dc, meta.Build, nil
}

// cacheKey hashes what the directory holds.
func cacheKey(opts CachedOptions) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s users=%d\n", cacheVersion, opts.Users)
	for _, g := range opts.Groups {
		fmt.Fprintf(h, "group %s %v\n", g.Name, g.Members)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func readMeta(entry string) (cacheMeta, error) {
	var m cacheMeta
	data, err := os.ReadFile(filepath.Join(entry, "meta.json"))
	if err != nil {
		return m, fmt.Errorf("samba: cache entry: %w", err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("samba: cache entry %s: %w", entry, err)
	}
	return m, nil
}

// buildCached provisions a domain, adds the users in chunks and the groups
// with ldbadd in batch mode, and moves the stopped DC into entry.
func buildCached(ctx context.Context, opts CachedOptions, entry string) (cacheMeta, error) {
	start := time.Now()
	logf := func(format string, args ...any) {
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, "samba: "+format+"\n", args...)
		}
	}
	logf("building a directory of %d users and %d groups into %s", opts.Users, len(opts.Groups), entry)
	base, err := provision(ctx)
	if err != nil {
		return cacheMeta{}, err
	}
	defer base.remove()
	meta := cacheMeta{Password: base.password, Build: BuildInfo{Dir: entry, Provision: base.took}}
	logf("provisioned in %v", base.took.Round(time.Millisecond))
	chunk := opts.Chunk
	if chunk <= 0 {
		chunk = 5000
	}
	ldif := filepath.Join(base.dir, "add.ldif")
	for first := 1; first <= opts.Users; first += chunk {
		last := min(first+chunk-1, opts.Users)
		specs := make([]UserSpec, 0, last-first+1)
		for i := first; i <= last; i++ {
			specs = append(specs, GeneratedUser(i))
		}
		if err := writeLDIF(ldif, specs); err != nil {
			return cacheMeta{}, err
		}
		step, err := ldbaddBatch(ctx, base.dir, ldif)
		if err != nil {
			return cacheMeta{}, err
		}
		step.What, step.Before = fmt.Sprintf("users %d-%d", first, last), first-1
		meta.Build.Steps = append(meta.Build.Steps, step)
		logf("%s: %.1f s (cpu %.1f s, %.0f users/s, %d MB)", step.What, step.Wall.Seconds(), step.CPU.Seconds(),
			float64(last-first+1)/step.Wall.Seconds(), step.MaxRSS>>20)
	}
	if len(opts.Groups) > 0 {
		if err := writeGroupsLDIF(ldif, opts.Groups); err != nil {
			return cacheMeta{}, err
		}
		step, err := ldbaddBatch(ctx, base.dir, ldif)
		if err != nil {
			return cacheMeta{}, err
		}
		step.What, step.Before = "groups", opts.Users
		meta.Build.Steps = append(meta.Build.Steps, step)
		logf("%s: %.1f s (cpu %.1f s, %d MB)", step.What, step.Wall.Seconds(), step.CPU.Seconds(), step.MaxRSS>>20)
	}
	os.Remove(ldif)
	if err := os.MkdirAll(opts.CacheDir, 0o755); err != nil {
		return cacheMeta{}, fmt.Errorf("samba: cache: %w", err)
	}
	tmp, err := os.MkdirTemp(opts.CacheDir, ".build-")
	if err != nil {
		return cacheMeta{}, fmt.Errorf("samba: cache: %w", err)
	}
	defer os.RemoveAll(tmp)
	dcDir := filepath.Join(tmp, "dc")
	if out, err := exec.CommandContext(ctx, "cp", "-a", "--reflink=auto", base.dir, dcDir).CombinedOutput(); err != nil {
		return cacheMeta{}, fmt.Errorf("samba: cache: cp -a: %w: %s", err, out)
	}
	// The paths in smb.conf must name the entry, not the build directory;
	// they are rewritten for the final name, which the rename below gives.
	final := &template{dir: base.dir}
	if err := final.rewriteConf(dcDir, "127.0.0.1"); err != nil {
		return cacheMeta{}, err
	}
	conf := filepath.Join(dcDir, "etc", "smb.conf")
	text, err := os.ReadFile(conf)
	if err != nil {
		return cacheMeta{}, fmt.Errorf("samba: cache: %w", err)
	}
	fixed := strings.ReplaceAll(string(text), dcDir, filepath.Join(entry, "dc"))
	if err := os.WriteFile(conf, []byte(fixed), 0o644); err != nil {
		return cacheMeta{}, fmt.Errorf("samba: cache: %w", err)
	}
	meta.Build.Total = time.Since(start)
	data, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return cacheMeta{}, fmt.Errorf("samba: cache: %w", err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "meta.json"), data, 0o600); err != nil {
		return cacheMeta{}, fmt.Errorf("samba: cache: %w", err)
	}
	os.RemoveAll(entry) // a half-written entry of a killed build
	if err := os.Rename(tmp, entry); err != nil {
		return cacheMeta{}, fmt.Errorf("samba: cache: %w", err)
	}
	logf("built in %v", meta.Build.Total.Round(time.Second))
	return meta, nil
}

// ldbaddBatch runs ldbadd with batch_mode into the stopped DC in dir.
func ldbaddBatch(ctx context.Context, dir, ldif string) (BuildStep, error) {
	bin, err := lookBin("ldbadd")
	if err != nil {
		return BuildStep{}, err
	}
	cmd := exec.CommandContext(ctx, bin, "-o", "batch_mode:1", "-H", filepath.Join(dir, "private", "sam.ldb"), ldif)
	cmd.Dir = dir
	t0 := time.Now()
	out, err := cmd.CombinedOutput()
	step := BuildStep{Wall: time.Since(t0)}
	if cmd.ProcessState == nil {
		return step, fmt.Errorf("samba: ldbadd: %w", err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		step.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		step.MaxRSS = ru.Maxrss * 1024
	}
	if err != nil {
		return step, fmt.Errorf("samba: ldbadd: %w\n%s", err, lastLine(out))
	}
	return step, nil
}

func lastLine(out []byte) string {
	if len(out) > 2000 {
		out = out[len(out)-2000:]
	}
	return string(out)
}

// writeGroupsLDIF writes the groups as global security groups with all
// their members in the add itself.
func writeGroupsLDIF(path string, groups []Group) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("samba: ldif: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<16)
	for _, g := range groups {
		writeLine(w, "dn", "CN="+g.Name+","+UsersDN)
		writeLine(w, "objectClass", "top")
		writeLine(w, "objectClass", "group")
		writeLine(w, "sAMAccountName", g.Name)
		for _, i := range g.Members {
			writeLine(w, "member", GeneratedUserDN(i))
		}
		w.WriteString("\n")
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("samba: ldif: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("samba: ldif: %w", err)
	}
	return nil
}

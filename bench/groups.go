package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/usersync/usersync/internal/testdir/slapd"
)

// The shape of the directory's groups with -groups: real directories hold
// many mid-sized groups and a few very large ones, and a sync reads them all
// before the users (the group phase), so a benchmark of users alone
// understates what an installation pays.
const (
	benchGroups      = 100
	benchGroupSize   = 1_000
	benchBigGroupLen = 20_000
)

// bigGroupName is the cn of the one large group; its members are the first
// 20,000 users (or all of them in a smaller directory).
const bigGroupName = "all-staff"

// appendGroups appends the groups to the LDIF at path: 100 groupOfNames of
// 1,000 members each, walking the users in order and wrapping around in a
// directory of fewer than 100,000, and one of 20,000. Every value is a DN of
// a generated user, so every membership resolves.
func appendGroups(path string, n int) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	next := 0
	for g := 1; g <= benchGroups; g++ {
		fmt.Fprintf(bw, "dn: cn=%s,%s\nobjectClass: groupOfNames\ncn: %s\n", slapd.GroupName(g), slapd.GroupsDN, slapd.GroupName(g))
		seen := make(map[int]bool, benchGroupSize)
		for k := 0; k < min(benchGroupSize, n); k++ {
			i := next%n + 1
			next++
			if seen[i] {
				continue
			}
			seen[i] = true
			fmt.Fprintf(bw, "member: %s\n", slapd.UserDN(i))
		}
		bw.WriteString("\n")
	}
	fmt.Fprintf(bw, "dn: cn=%s,%s\nobjectClass: groupOfNames\ncn: %s\n", bigGroupName, slapd.GroupsDN, bigGroupName)
	for i := 1; i <= min(benchBigGroupLen, n); i++ {
		fmt.Fprintf(bw, "member: %s\n", slapd.UserDN(i))
	}
	bw.WriteString("\n")
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ldapsearchGroups is the directory client's share of reading the groups: the
// reference with -groups is ldapsearch of the users plus ldapsearch of the
// groups' cn and member, as two processes one after the other, since a sync
// reads both.
func (h *harness) ldapsearchGroups(ctx context.Context) (sample, error) {
	args := []string{"-x", "-LLL", "-H", h.srv.URL(), "-D", slapd.AdminDN, "-w", slapd.AdminPassword,
		"-b", slapd.GroupsDN, "-E", "pr=1000/noprompt", "(objectClass=groupOfNames)", "cn", "member"}
	cmd := exec.CommandContext(ctx, "ldapsearch", args...)
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return sample{}, err
	}
	defer devnull.Close()
	cmd.Stdout = devnull
	return timed(cmd)
}

// plus adds two samples run one after the other: wall and CPU add up, the
// peak is the larger one.
func (s sample) plus(o sample) sample {
	return sample{Wall: s.Wall + o.Wall, CPU: s.CPU + o.CPU, MaxRSS: max(s.MaxRSS, o.MaxRSS), RunMs: s.RunMs + o.RunMs}
}

// reference is the row every ratio divides by: ldapsearch of the users, plus
// of the groups when the directory has them.
func (h *harness) reference(ctx context.Context, attrs []string) (sample, error) {
	s, err := h.ldapsearch(ctx, attrs)
	if err != nil || !h.cfg.groups {
		return s, err
	}
	g, err := h.ldapsearchGroups(ctx)
	return s.plus(g), err
}

// freshStoreWithGroups starts every full sync from a copy of one template
// store holding the connection and an application group named after each
// directory group, so that group rules turn every membership into an
// application membership (120,000 at 100,000 users) as they would in an
// installation; building it once keeps 101 CLI runs out of the repetitions.
func (h *harness) freshStoreWithGroups(ctx context.Context) error {
	tmpl := filepath.Join(h.dir, "template.db")
	if _, err := os.Stat(tmpl); err != nil {
		h.dbOverride = tmpl
		err := h.freshPlainStore(ctx)
		for g := 1; err == nil && g <= benchGroups+1; g++ {
			name := bigGroupName
			if g <= benchGroups {
				name = slapd.GroupName(g)
			}
			_, err = timed(h.usersync(ctx, "group", "add", name))
		}
		h.dbOverride = ""
		if err != nil {
			return fmt.Errorf("template store: %w", err)
		}
		// Fold the WAL into the file so that a plain copy is the whole store.
		if err := checkpoint(ctx, tmpl); err != nil {
			return err
		}
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(h.dbPath() + suffix); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	data, err := os.ReadFile(tmpl)
	if err != nil {
		return err
	}
	return os.WriteFile(h.dbPath(), data, 0o600)
}

func checkpoint(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return nil
}

// checkMemberships counts the rule memberships in the store against the
// groups generated for n users.
func checkMemberships(ctx context.Context, db *sql.DB, n int) error {
	want := benchGroups*min(benchGroupSize, n) + min(benchBigGroupLen, n)
	if n < benchGroupSize*benchGroups {
		want = 0 // wrapped groups: count them the way appendGroups made them
		next := 0
		for g := 0; g < benchGroups; g++ {
			seen := map[int]bool{}
			for k := 0; k < min(benchGroupSize, n); k++ {
				seen[next%n] = true
				next++
			}
			want += len(seen)
		}
		want += min(benchBigGroupLen, n)
	}
	var got int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM memberships WHERE source = 'rule:bench'`).Scan(&got); err != nil {
		return fmt.Errorf("count memberships: %w", err)
	}
	if got != want {
		return fmt.Errorf("store holds %d rule memberships, the directory's groups %d", got, want)
	}
	return nil
}

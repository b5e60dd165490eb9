package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"time"
)

// printTable writes the results as a Markdown table: for each size and row
// the best wall time, the median (to show the noise), the ratio of the best
// to the reference's best, users per second and peak resident memory.
func printTable(w io.Writer, results []result) {
	fmt.Fprintf(w, "| N | run | best s | median s | × ldapsearch | users/s | CPU s | peak RSS MB |\n")
	fmt.Fprintf(w, "|---:|---|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range results {
		ref := r.reference()
		for _, m := range r.Rows {
			b := m.best()
			users := r.N
			if m.Name == rowChanged || m.Name == rowIncremental {
				users = r.Changed
			}
			fmt.Fprintf(w, "| %d | %s | %.3f | %.3f | %.2f | %s | %.3f | %.1f |\n", r.N, m.Name, b.Wall.Seconds(), m.median().Seconds(),
				ratio(b.Wall, ref), perSecond(users, b.Wall), b.CPU.Seconds(), float64(m.maxRSS())/1e6)
		}
	}
}

func (r result) reference() time.Duration {
	for _, m := range r.Rows {
		if m.Name == r.Reference {
			return m.best().Wall
		}
	}
	return 0
}

func (r result) row(name string) (measurement, bool) {
	for _, m := range r.Rows {
		if m.Name == name {
			return m, true
		}
	}
	return measurement{}, false
}

func ratio(d, ref time.Duration) float64 {
	if ref <= 0 {
		return 0
	}
	return float64(d) / float64(ref)
}

func perSecond(n int, d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", float64(n)/d.Seconds())
}

// writeResults saves the table (with the machine it ran on) and the raw
// figures of every repetition.
func writeResults(dir string, results []result) error {
	var md bytes.Buffer
	host, _ := os.Hostname()
	fmt.Fprintf(&md, "# usersync benchmark, %s\n\n%s, %d CPUs, %s/%s, %s\n\n", time.Now().UTC().Format(time.RFC3339),
		host, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	printTable(&md, results)
	fmt.Fprintf(&md, "\nThe harness's own peak RSS was %.1f MB. On Linux a child started by Go (vfork, then exec) can report the parent's resident memory at exec as its own, so the harness streams its LDIF to disk to stay small.\n", float64(selfMaxRSS())/1e6)
	if err := os.WriteFile(filepath.Join(dir, "results.md"), md.Bytes(), 0o644); err != nil {
		return err
	}
	raw, err := json.MarshalIndent(results, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "results.json"), raw, 0o644)
}

// selfMaxRSS is the harness's own peak resident memory in bytes.
func selfMaxRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Maxrss * 1024
}

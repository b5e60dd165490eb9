package main

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/usersync/usersync/internal/app"
	"github.com/usersync/usersync/internal/store"
)

// reliabilityLong selects the long form of the reliability tests: more
// fault points and a bigger directory (USERSYNC_RELIABILITY_LONG=1).
func reliabilityLong() bool { return os.Getenv("USERSYNC_RELIABILITY_LONG") == "1" }

// reliabilityScale returns short, or long in the long form.
func reliabilityScale(short, long int) int {
	if reliabilityLong() {
		return long
	}
	return short
}

// faultPoints returns n byte offsets spread from the first page of a read of
// total bytes to its last: the middle of each of n equal slices.
func faultPoints(total int64, n int) []int64 {
	points := make([]int64, n)
	for k := range points {
		points[k] = total * int64(2*k+1) / int64(2*n)
	}
	return points
}

// reportRow is one line of the reliability table in docs/reliability.md.
type reportRow struct {
	Directory, Fault, Point, Failed, Error, Recovery string
}

var reportMu sync.Mutex

// writeReport appends a markdown table of rows under title to the file named
// by USERSYNC_RELIABILITY_REPORT, when it is set. The tests assert every
// outcome themselves; the file only records them for the documentation.
func writeReport(t *testing.T, title string, rows []reportRow) {
	t.Helper()
	path := os.Getenv("USERSYNC_RELIABILITY_REPORT")
	if path == "" || len(rows) == 0 {
		return
	}
	reportMu.Lock()
	defer reportMu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "\n### %s\n\n| directory | fault | at | faulted run | its error | next run |\n|---|---|---|---|---|---|\n", title)
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", r.Directory, r.Fault, r.Point, r.Failed,
			strings.ReplaceAll(r.Error, "|", `\|`), r.Recovery)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(b.String()); err != nil {
		t.Fatal(err)
	}
}

// activeUsers counts the store's active users of connection conn.
func activeUsers(t *testing.T, a *app.App, conn string) int64 {
	t.Helper()
	counts, err := a.Store.UserCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, c := range counts {
		if c.Connection == conn && c.Status == store.StatusActive {
			n += c.Users
		}
	}
	return n
}

// loopbackAddr matches the loopback addresses and ports in socket errors,
// which change from run to run.
var loopbackAddr = regexp.MustCompile(`127\.0\.0\.[0-9]+:[0-9]+`)

// firstLine is the first line of s, for a table cell.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	s = loopbackAddr.ReplaceAllString(s, "127.0.0.x:port")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

func pct(k, n int) string { return strconv.Itoa((2*k+1)*100/(2*n)) + "%" }

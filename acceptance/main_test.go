// Package acceptance holds the seed-conformance suite: one test per testable
// sentence of the five requirement documents, each run against a real
// OpenLDAP slapd or Samba AD DC and driven the way an administrator drives
// usersync, through the CLI binary and the HTTP API.
package acceptance

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/testdir/postgres"
	"github.com/usersync/usersync/internal/testdir/samba"
)

// binary is the usersync executable built once by TestMain.
var binary string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "usersync-acceptance-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "acceptance:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "usersync")
	build := exec.Command("go", "build", "-o", binary, "../cmd/usersync")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "acceptance: build usersync:", err)
		return 1
	}
	code := m.Run()
	stopSharedDC()
	if pg != nil {
		pg.Stop()
	}
	return code
}

// The suite shares one PostgreSQL cluster, with a database per test.
var (
	pgOnce sync.Once
	pg     *postgres.Cluster
	pgErr  error
)

// postgresURL returns a new empty database on the suite's cluster. A missing
// PostgreSQL skips the test, or fails it under USERSYNC_INTEGRATION=1.
func postgresURL(t *testing.T) string {
	t.Helper()
	postgres.Require(t)
	pgOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		pg, pgErr = postgres.Start(ctx)
	})
	if pgErr != nil {
		t.Fatalf("start the shared PostgreSQL cluster: %v", pgErr)
	}
	url, err := pg.CreateDatabase(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return url
}

// The suite shares one Samba DC: provisioning and starting one costs
// seconds, so each test takes its own organizational unit on it instead.
var (
	dcOnce sync.Once
	dc     *samba.DC
	dcErr  error
)

// sharedDC returns the suite's Samba AD DC, starting it at first use. A
// missing Samba skips the test, or fails it under USERSYNC_INTEGRATION=1.
func sharedDC(t *testing.T) *samba.DC {
	t.Helper()
	if err := samba.Available(); err != nil {
		if os.Getenv("USERSYNC_INTEGRATION") == "1" {
			t.Fatalf("USERSYNC_INTEGRATION=1 but Samba AD DC is not usable: %v", err)
		}
		t.Skipf("Samba AD DC is not usable (set USERSYNC_INTEGRATION=1 to fail instead): %v", err)
	}
	dcOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		dc, dcErr = samba.StartDC(ctx, samba.Options{})
	})
	if dcErr != nil {
		t.Fatalf("start the shared Samba DC: %v", dcErr)
	}
	return dc
}

func stopSharedDC() {
	if dc != nil {
		if err := dc.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "acceptance: stop Samba DC:", err)
		}
	}
}

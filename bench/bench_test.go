package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
	"github.com/usersync/usersync/internal/testdir/samba"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// TestBenchSmoke runs the harness at a few hundred users with groups, one
// repetition: every row runs, every run's report and store pass the
// harness's own checks (user and membership counts), and the outputs are
// written. The real figures come from `go run ./bench`, never from the tests.
func TestBenchSmoke(t *testing.T) {
	slapd.Require(t)
	if testing.Short() {
		t.Skip("builds usersync and runs it a dozen times")
	}
	out := t.TempDir()
	t.Chdir("..") // the harness builds ./cmd/usersync from the repository root
	err := run(context.Background(), []string{"-n", "300", "-groups", "-reps", "1", "-out", out, "-svg", ""})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var results []result
	if err := json.Unmarshal(raw, &results); err != nil {
		t.Fatal(err)
	}
	if len(results) != 1 || len(results[0].Rows) != 6 {
		t.Fatalf("results = %+v, want one size with six rows", results)
	}
}

// TestScaleOutSmoke runs the scale-out bench at four connections of 50
// users for a few seconds: one serve and then two load every user, keep
// running re-syncs, and neither runs anything twice nor loses a request.
func TestScaleOutSmoke(t *testing.T) {
	slapd.Require(t)
	pgtest.Require(t)
	if testing.Short() {
		t.Skip("builds usersync and starts three serve processes")
	}
	ctx := context.Background()
	tmp := t.TempDir()
	t.Chdir("..") // the harness builds ./cmd/usersync from the repository root
	bin, err := buildUsersync(ctx, tmp)
	if err != nil {
		t.Fatal(err)
	}
	cfg := scaleoutConfig{conns: 4, users: 50, window: 3 * time.Second, instances: []int{1, 2}}
	results, err := benchScaleOut(ctx, io.Discard, bin, tmp, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.LoadUsers != 200 || r.Runs == 0 || len(r.PerServe) != r.Instances || r.Skipped != 0 || r.Lost != 0 {
			t.Errorf("%d serve: %+v, want 200 users loaded, runs in the window, none skipped or lost", r.Instances, r)
		}
	}
}

// TestBenchADSmoke runs the Active Directory rows at 200 users with the
// groups, one repetition, from a directory built into a temporary cache:
// every run's report and store pass the harness's checks.
func TestBenchADSmoke(t *testing.T) {
	samba.Require(t)
	if testing.Short() {
		t.Skip("provisions a Samba domain and runs usersync a few times")
	}
	out, cache := t.TempDir(), t.TempDir()
	t.Chdir("..")
	err := run(context.Background(), []string{"-ad", "200", "-ad-cache", cache, "-reps", "1", "-out", out, "-svg", ""})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(out, "ad", "results-200.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Result result `json:"result"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Result.Rows) != 5 {
		t.Fatalf("result = %+v, want five rows", got.Result)
	}
}

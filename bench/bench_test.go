package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

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

// TestBenchADSmoke runs the Active Directory rows at 200 users with the
// groups, one repetition, from a directory built into a temporary cache:
// every run's report and store pass the harness's checks.
func TestBenchADSmoke(t *testing.T) {
	if err := samba.Available(); err != nil {
		t.Skipf("samba: %v", err)
	}
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

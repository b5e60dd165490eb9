package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/usersync/usersync/internal/store"
)

// fakeExport is an in-memory Exporter: rows by table, in column order.
type fakeExport struct {
	cols map[string][]string
	rows map[string][][]any
}

var _ store.Exporter = fakeExport{}

func (f fakeExport) ExportTables(context.Context) ([]string, error) {
	var out []string
	for t := range f.cols {
		out = append(out, t)
	}
	// Sorted, so "admins" is written before the table that fails: the
	// rollback of rows already written is then part of the test.
	sort.Strings(out)
	return out, nil
}

func (f fakeExport) ExportRows(_ context.Context, table string, fn func([]string, []any) error) error {
	for _, r := range f.rows[table] {
		if err := fn(f.cols[table], r); err != nil {
			return err
		}
	}
	return nil
}

// TestImportRefusesWhatItCannotKeep: an import never drops data silently
// and never mixes two stores: a table or column the target has no place
// for fails the whole import (leaving the target empty, rows of earlier
// tables included), a target with rows is refused, and values in
// PostgreSQL's forms (times, booleans, NULL JSON) are stored in SQLite's.
func TestImportRefusesWhatItCannotKeep(t *testing.T) {
	ctx := context.Background()
	newStore := func() *Store {
		s, err := Open(ctx, filepath.Join(t.TempDir(), "target.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	when := time.Date(2026, 12, 1, 8, 30, 0, 0, time.UTC)
	admins := fakeExport{
		cols: map[string][]string{"admins": {"name", "password_hash", "created_at"}},
		rows: map[string][][]any{"admins": {{"ops", "hash", when}}},
	}
	tests := []struct {
		name string
		src  fakeExport
		want string
	}{
		{"unknown table", fakeExport{
			cols: map[string][]string{"admins": admins.cols["admins"], "events_from_the_future": {"id"}},
			rows: map[string][][]any{"admins": admins.rows["admins"], "events_from_the_future": {{int64(1)}}},
		}, "events_from_the_future has no counterpart"},
		{"unknown column", fakeExport{
			cols: map[string][]string{"admins": {"name", "password_hash", "created_at", "mfa_secret"}},
			rows: map[string][][]any{"admins": {{"ops", "hash", when, "x"}}},
		}, "admins.mfa_secret has no counterpart"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore()
			_, err := s.ImportFrom(ctx, tt.src)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ImportFrom = %v, want an error containing %q", err, tt.want)
			}
			if n, err := s.CountAdmins(ctx); err != nil || n != 0 {
				t.Errorf("a failed import left %d admins (%v); want none", n, err)
			}
		})
	}

	s := newStore()
	src := fakeExport{
		cols: map[string][]string{
			"admins":       admins.cols["admins"],
			"runs":         {"id", "connection", "trigger", "mode", "dry_run", "status", "started_at", "finished_at"},
			"run_outcomes": {"run_id", "external_id", "user_id", "action", "changes", "warnings"},
		},
		rows: map[string][][]any{
			"admins":       admins.rows["admins"],
			"runs":         {{int64(7), "corp", "manual", "full", true, "succeeded", when, nil}},
			"run_outcomes": {{int64(7), "x", "alice", "created", nil, nil}},
		},
	}
	counts, err := s.ImportFrom(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if counts["admins"] != 1 || counts["runs"] != 1 || counts["run_outcomes"] != 1 {
		t.Errorf("counts = %v", counts)
	}
	r, err := s.GetRun(ctx, 7)
	if err != nil || !r.DryRun || !r.StartedAt.Equal(when) || r.FinishedAt != nil {
		t.Errorf("run 7 = %+v, %v; want a dry run started at %v, not finished", r, err, when)
	}
	if outs, err := s.ListOutcomes(ctx, 7, store.OutcomeQuery{}); err != nil || len(outs) != 1 || len(outs[0].Changes) != 0 {
		t.Errorf("outcomes = %+v, %v", outs, err)
	}
	if _, err := s.ImportFrom(ctx, admins); !errors.Is(err, store.ErrNotEmptyStore) {
		t.Errorf("a second import = %v, want ErrNotEmptyStore", err)
	}
}

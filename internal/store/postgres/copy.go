package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/usersync/internal/store"
)

var (
	_ store.Exporter = (*Store)(nil)
	_ store.Importer = (*Store)(nil)
)

// pgColumn is what an import or export needs to know of a column.
type pgColumn struct {
	name     string
	typ      string // information_schema's data_type
	nullable bool
	serial   bool // filled by a sequence: reset after an import
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func pgTables(ctx context.Context, q querier) ([]string, error) {
	rows, err := q.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`)
	if err != nil {
		return nil, wrap(err, "list tables")
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return names, wrap(err, "list tables")
}

func pgColumns(ctx context.Context, q querier, table string) ([]pgColumn, error) {
	rows, err := q.Query(ctx, `SELECT column_name, data_type, is_nullable = 'YES', coalesce(column_default, '') LIKE 'nextval(%'
		FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, table)
	if err != nil {
		return nil, wrap(err, "columns of %s", table)
	}
	cols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (pgColumn, error) {
		var c pgColumn
		err := r.Scan(&c.name, &c.typ, &c.nullable, &c.serial)
		return c, err
	})
	return cols, wrap(err, "columns of %s", table)
}

// ExportTables lists the tables of the current schema, as the catalog
// names them, without those a copy skips.
func (s *Store) ExportTables(ctx context.Context) ([]string, error) {
	all, err := pgTables(ctx, s.pool)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range all {
		if _, skip := store.CopySkipped[t]; !skip {
			out = append(out, t)
		}
	}
	return out, nil
}

// ExportRows reads every row of table; JSON columns come as their text.
func (s *Store) ExportRows(ctx context.Context, table string, fn func(cols []string, vals []any) error) error {
	cols, err := pgColumns(ctx, s.pool, table)
	if err != nil {
		return err
	}
	names := make([]string, len(cols))
	sel := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
		sel[i] = pgx.Identifier{c.name}.Sanitize()
		if c.typ == "json" || c.typ == "jsonb" {
			sel[i] += "::text"
		}
	}
	rows, err := s.pool.Query(ctx, `SELECT `+strings.Join(sel, ", ")+` FROM `+pgx.Identifier{table}.Sanitize())
	if err != nil {
		return wrap(err, "export %s", table)
	}
	defer rows.Close()
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return wrap(err, "export %s", table)
		}
		for i, v := range vals {
			switch x := v.(type) {
			case int32:
				vals[i] = int64(x)
			case int16:
				vals[i] = int64(x)
			}
		}
		if err := fn(names, vals); err != nil {
			return err
		}
	}
	return wrap(rows.Err(), "export %s", table)
}

// ImportFrom copies every table of src into this database in one
// transaction, with COPY, parents before the tables whose foreign keys
// point at them, and then moves each id sequence past the copied ids.
func (s *Store) ImportFrom(ctx context.Context, src store.Exporter) (map[string]int64, error) {
	tables, err := src.ExportTables(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, wrap(err, "import")
	}
	defer tx.Rollback(ctx)
	if err := pgRefuseRows(ctx, tx); err != nil {
		return nil, err
	}
	if tables, err = parentsFirst(ctx, tx, tables); err != nil {
		return nil, err
	}
	counts := map[string]int64{}
	for _, table := range store.ReplacedLast(tables) {
		cols, err := pgColumns(ctx, tx, table)
		if err != nil {
			return nil, err
		}
		if _, ok := store.CopyReplaced[table]; ok && len(cols) > 0 {
			// The id sequence is moved past the copied ids below.
			if _, err := tx.Exec(ctx, `DELETE FROM `+pgx.Identifier{table}.Sanitize()); err != nil {
				return nil, wrap(err, "import %s", table)
			}
		}
		if len(cols) == 0 {
			return nil, fmt.Errorf("postgres: import: the source table %s has no counterpart here; is this usersync older than the source's?", table)
		}
		byName := map[string]pgColumn{}
		for _, c := range cols {
			byName[c.name] = c
		}
		var names []string
		var targets []pgColumn
		var batch [][]any
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			n, err := tx.CopyFrom(ctx, pgx.Identifier{table}, names, pgx.CopyFromRows(batch))
			if err != nil {
				return wrap(err, "import %s", table)
			}
			counts[table] += n
			batch = batch[:0]
			return nil
		}
		err = src.ExportRows(ctx, table, func(cn []string, vals []any) error {
			if names == nil {
				names = append([]string(nil), cn...)
				targets = make([]pgColumn, len(cn))
				for i, n := range cn {
					c, ok := byName[n]
					if !ok {
						return fmt.Errorf("postgres: import: column %s.%s has no counterpart here", table, n)
					}
					targets[i] = c
				}
			}
			row := make([]any, len(vals))
			for i, v := range vals {
				pv, err := toPostgres(v, targets[i])
				if err != nil {
					return fmt.Errorf("postgres: import %s.%s: %w", table, targets[i].name, err)
				}
				row[i] = pv
			}
			batch = append(batch, row)
			if len(batch) >= 5000 {
				return flush()
			}
			return nil
		})
		if err == nil {
			err = flush()
		}
		if err != nil {
			return nil, err
		}
		for _, c := range cols {
			if !c.serial {
				continue
			}
			id, tb := pgx.Identifier{c.name}.Sanitize(), pgx.Identifier{table}.Sanitize()
			if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), coalesce(max(`+id+`), 1), max(`+id+`) IS NOT NULL) FROM `+tb, table, c.name); err != nil {
				return nil, wrap(err, "import %s: move the sequence of %s", table, c.name)
			}
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, wrap(err, "import: commit")
	}
	return counts, nil
}

// toPostgres converts an exported value to the column's type: SQLite keeps
// times as text, booleans as integers and an absent JSON value as an empty string.
func toPostgres(v any, c pgColumn) (any, error) {
	switch c.typ {
	case "timestamp with time zone", "timestamp without time zone":
		if s, ok := v.(string); ok {
			if s == "" {
				v = nil
				break
			}
			t, err := parseAnyTime(s)
			if err != nil {
				return nil, err
			}
			return t, nil
		}
	case "boolean":
		if n, ok := v.(int64); ok {
			return n != 0, nil
		}
	case "ARRAY":
		// SQLite keeps a list of names as its JSON text.
		if s, ok := v.(string); ok {
			if s == "" {
				v = nil
				break
			}
			var list []string
			if err := json.Unmarshal([]byte(s), &list); err != nil {
				return nil, fmt.Errorf("%q is not a JSON list: %w", s, err)
			}
			return list, nil
		}
	case "json", "jsonb":
		if s, ok := v.(string); ok {
			if s == "" {
				v = nil
				break
			}
			// Raw JSON text: pgx passes []byte to a JSON column unchanged.
			return []byte(s), nil
		}
	}
	if v == nil && !c.nullable {
		return nil, fmt.Errorf("no value for a column that needs one")
	}
	return v, nil
}

func parseAnyTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time", s)
}

// pgRefuseRows fails when any table but the schema version's holds a row.
func pgRefuseRows(ctx context.Context, tx pgx.Tx) error {
	tables, err := pgTables(ctx, tx)
	if err != nil {
		return err
	}
	for _, t := range tables {
		if _, replaced := store.CopyReplaced[t]; replaced || t == "schema_migrations" {
			continue
		}
		var has bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+pgx.Identifier{t}.Sanitize()+`)`).Scan(&has); err != nil {
			return wrap(err, "import")
		}
		if has {
			return fmt.Errorf("postgres: import: %w (table %s has rows); copy into a new database", store.ErrNotEmptyStore, t)
		}
	}
	return nil
}

// parentsFirst orders tables so that every table comes after the tables
// its foreign keys reference, as the catalog records them.
func parentsFirst(ctx context.Context, tx pgx.Tx, tables []string) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c
		WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace`)
	if err != nil {
		return nil, wrap(err, "import: foreign keys")
	}
	deps := map[string][]string{}
	err = func() error {
		defer rows.Close()
		for rows.Next() {
			var child, parent string
			if err := rows.Scan(&child, &parent); err != nil {
				return err
			}
			deps[child] = append(deps[child], parent)
		}
		return rows.Err()
	}()
	if err != nil {
		return nil, wrap(err, "import: foreign keys")
	}
	sorted := append([]string(nil), tables...)
	sort.Strings(sorted)
	var out []string
	done := map[string]bool{}
	var visit func(t string, depth int)
	visit = func(t string, depth int) {
		if done[t] || depth > len(sorted) {
			return
		}
		for _, p := range deps[t] {
			if p != t {
				visit(p, depth+1)
			}
		}
		if !done[t] {
			done[t] = true
			out = append(out, t)
		}
	}
	want := map[string]bool{}
	for _, t := range sorted {
		want[t] = true
	}
	for _, t := range sorted {
		visit(t, 0)
	}
	// Parents that the source does not export are not copied.
	filtered := out[:0]
	for _, t := range out {
		if want[t] {
			filtered = append(filtered, t)
		}
	}
	return filtered, nil
}

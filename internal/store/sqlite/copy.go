package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/usersync/usersync/internal/store"
)

var (
	_ store.Exporter = (*Store)(nil)
	_ store.Importer = (*Store)(nil)
)

// ExportTables lists the database's tables as SQLite's schema table names
// them, without those a copy skips.
func (s *Store) ExportTables(ctx context.Context) ([]string, error) {
	all, err := tableNames(ctx, s.db)
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

// ExportRows reads every row of table in one read transaction.
func (s *Store) ExportRows(ctx context.Context, table string, fn func(cols []string, vals []any) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT * FROM `+quoteIdent(table))
	if err != nil {
		return wrap(err, "export %s", table)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return wrap(err, "export %s", table)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var keep []int // the columns exported, when some are transient
	var keptCols []string
	for i, c := range cols {
		if _, transient := store.CopyTransient[table+"."+c]; !transient {
			keep, keptCols = append(keep, i), append(keptCols, c)
		}
	}
	kept := make([]any, len(keep))
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return wrap(err, "export %s", table)
		}
		if len(keep) == len(cols) {
			if err := fn(cols, vals); err != nil {
				return err
			}
			continue
		}
		for j, i := range keep {
			kept[j] = vals[i]
		}
		if err := fn(keptCols, kept); err != nil {
			return err
		}
	}
	return wrap(rows.Err(), "export %s", table)
}

// column is what an import needs to know of a target column.
type column struct {
	name    string
	typ     string // the declared type, upper-cased
	notNull bool
	dflt    any // the default's value, for a NULL arriving in a NOT NULL column
}

func columnsOf(ctx context.Context, tx *sql.Tx, table string) (map[string]column, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name, type, "notnull", dflt_value FROM pragma_table_info(?)`, table)
	if err != nil {
		return nil, wrap(err, "columns of %s", table)
	}
	defer rows.Close()
	out := map[string]column{}
	for rows.Next() {
		var c column
		var dflt sql.NullString
		if err := rows.Scan(&c.name, &c.typ, &c.notNull, &dflt); err != nil {
			return nil, wrap(err, "columns of %s", table)
		}
		c.typ = strings.ToUpper(c.typ)
		c.dflt = parseDefault(dflt)
		out[c.name] = c
	}
	return out, wrap(rows.Err(), "columns of %s", table)
}

// parseDefault turns a column's default as SQL text ('{}', 0) into its
// value; an expression it does not know is nil.
func parseDefault(d sql.NullString) any {
	if !d.Valid {
		return nil
	}
	v := d.String
	if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
		return strings.ReplaceAll(v[1:len(v)-1], "''", "'")
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n
	}
	return nil
}

// ImportFrom copies every table of src into this store in one transaction.
// Foreign keys are checked at commit, so tables may arrive in any order.
func (s *Store) ImportFrom(ctx context.Context, src store.Exporter) (map[string]int64, error) {
	tables, err := src.ExportTables(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, wrap(err, "import")
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
		return nil, wrap(err, "import")
	}
	if err := refuseRows(ctx, tx); err != nil {
		return nil, err
	}
	counts := map[string]int64{}
	for _, table := range store.ReplacedLast(tables) {
		cols, err := columnsOf(ctx, tx, table)
		if err != nil {
			return nil, err
		}
		if _, ok := store.CopyReplaced[table]; ok && len(cols) > 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+quoteIdent(table)); err != nil {
				return nil, wrap(err, "import %s", table)
			}
			// The rows the triggers wrote moved the AUTOINCREMENT counter;
			// the source's numbers are what its readers remember.
			if _, err := tx.ExecContext(ctx, `UPDATE sqlite_sequence SET seq = 0 WHERE name = ?`, table); err != nil {
				return nil, wrap(err, "import %s", table)
			}
		}
		if len(cols) == 0 {
			return nil, fmt.Errorf("sqlite: import: the source table %s has no counterpart here; is this usersync older than the source's?", table)
		}
		var stmt *sql.Stmt
		var targets []column
		err = src.ExportRows(ctx, table, func(names []string, vals []any) error {
			if stmt == nil {
				targets = make([]column, len(names))
				quoted := make([]string, len(names))
				for i, n := range names {
					c, ok := cols[n]
					if !ok {
						return fmt.Errorf("sqlite: import: column %s.%s has no counterpart here", table, n)
					}
					targets[i], quoted[i] = c, quoteIdent(n)
				}
				var err error
				stmt, err = tx.PrepareContext(ctx, `INSERT INTO `+quoteIdent(table)+`(`+strings.Join(quoted, ", ")+`) VALUES (`+
					strings.TrimSuffix(strings.Repeat("?, ", len(names)), ", ")+`)`)
				if err != nil {
					return wrap(err, "import %s", table)
				}
			}
			args := make([]any, len(vals))
			for i, v := range vals {
				args[i] = toSQLite(v, targets[i])
			}
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
				return wrap(err, "import %s", table)
			}
			counts[table]++
			return nil
		})
		if stmt != nil {
			stmt.Close()
		}
		if err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, wrap(err, "import: commit")
	}
	return counts, nil
}

// toSQLite converts an exported value to what this store keeps in the
// column: times as sortable text, booleans as 0 or 1, and a NULL in a NOT
// NULL column as the column's default (PostgreSQL keeps an absent JSON
// value as NULL where SQLite keeps an empty string).
func toSQLite(v any, c column) any {
	switch x := v.(type) {
	case nil:
		if c.notNull {
			return c.dflt
		}
		return nil
	case time.Time:
		return x.UTC().Format(timeFormat)
	case bool:
		if x {
			return int64(1)
		}
		return int64(0)
	case []any:
		// PostgreSQL keeps a list of names as an array; SQLite as its JSON.
		b, err := json.Marshal(x)
		if err != nil {
			return nil
		}
		return string(b)
	}
	return v
}

// refuseRows fails when any table but the schema version's holds a row.
func refuseRows(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'`)
	if err != nil {
		return wrap(err, "import")
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return wrap(err, "import")
		}
		tables = append(tables, n)
	}
	rows.Close()
	for _, t := range tables {
		if _, ok := store.CopyReplaced[t]; ok {
			continue
		}
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM `+quoteIdent(t)+` LIMIT 1`).Scan(&one)
		if err == nil {
			return fmt.Errorf("sqlite: import: %w (table %s has rows); copy into a new store", store.ErrNotEmptyStore, t)
		}
		if err != sql.ErrNoRows {
			return wrap(err, "import")
		}
	}
	return nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

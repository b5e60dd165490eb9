package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/usersync/usersync/internal/store"
)

// CreateEntity adds a permission set, application group or site.
func (s *Store) CreateEntity(ctx context.Context, kind, name string) (store.Entity, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO app_entities(kind, name, created_at) VALUES (?, ?, ?)`, kind, name, now())
	if err != nil {
		if isConflict(err) {
			return store.Entity{}, fmt.Errorf("sqlite: %s %q: %w", kind, name, store.ErrConflict)
		}
		return store.Entity{}, wrap(err, "create %s %q", kind, name)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return store.Entity{}, wrap(err, "create %s %q", kind, name)
	}
	return store.Entity{ID: id, Kind: kind, Name: name}, nil
}

// ListEntities returns the entities of one kind, or of every kind for "".
func (s *Store) ListEntities(ctx context.Context, kind string) ([]store.Entity, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, kind, name FROM app_entities WHERE ? = '' OR kind = ? ORDER BY kind, name`, kind, kind)
	if err != nil {
		return nil, wrap(err, "list entities")
	}
	defer rows.Close()
	var out []store.Entity
	for rows.Next() {
		var e store.Entity
		if err := rows.Scan(&e.ID, &e.Kind, &e.Name); err != nil {
			return nil, wrap(err, "list entities")
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// DeleteEntity removes an entity; its memberships go with it (ON DELETE CASCADE).
func (s *Store) DeleteEntity(ctx context.Context, kind, name string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM app_entities WHERE kind = ? AND name = ?`, kind, name)
	if err != nil {
		return wrap(err, "delete %s %q", kind, name)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: %s %q: %w", kind, name, store.ErrNotFound)
	}
	return nil
}

func (s *Store) entityID(ctx context.Context, kind, name string) (int64, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT id FROM app_entities WHERE kind = ? AND name = ?`, kind, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("sqlite: %s %q: %w", kind, name, store.ErrNotFound)
	}
	if err != nil {
		return 0, wrap(err, "find %s %q", kind, name)
	}
	return id, nil
}

// AddMembership gives a user a membership; an existing one is kept as is.
func (s *Store) AddMembership(ctx context.Context, userRowID int64, kind, name, source string) error {
	id, err := s.entityID(ctx, kind, name)
	if err != nil {
		return err
	}
	if _, err := s.GetUser(ctx, userRowID); err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT OR IGNORE INTO memberships(user_row_id, entity_id, source, created_at) VALUES (?, ?, ?, ?)`,
		userRowID, id, source, now())
	if err != nil {
		return wrap(err, "add membership")
	}
	return nil
}

// RemoveMembership removes one membership from one source.
func (s *Store) RemoveMembership(ctx context.Context, userRowID int64, kind, name, source string) error {
	id, err := s.entityID(ctx, kind, name)
	if err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `DELETE FROM memberships WHERE user_row_id = ? AND entity_id = ? AND source = ?`, userRowID, id, source)
	if err != nil {
		return wrap(err, "remove membership")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: user %d has no %s %s %q: %w", userRowID, source, kind, name, store.ErrNotFound)
	}
	return nil
}

const membershipSelect = `SELECT m.user_row_id, m.entity_id, e.kind, e.name, m.source FROM memberships m JOIN app_entities e ON e.id = m.entity_id`

func (s *Store) queryMemberships(ctx context.Context, q string, args ...any) ([]store.Membership, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, wrap(err, "memberships")
	}
	defer rows.Close()
	var out []store.Membership
	for rows.Next() {
		var m store.Membership
		if err := rows.Scan(&m.UserRowID, &m.EntityID, &m.Kind, &m.Name, &m.Source); err != nil {
			return nil, wrap(err, "memberships")
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// UserMemberships returns one user's memberships, by kind, name and source.
func (s *Store) UserMemberships(ctx context.Context, userRowID int64) ([]store.Membership, error) {
	return s.queryMemberships(ctx, membershipSelect+` WHERE m.user_row_id = ? ORDER BY e.kind, e.name, m.source`, userRowID)
}

// SourceMemberships returns every membership from one source.
func (s *Store) SourceMemberships(ctx context.Context, source string) ([]store.Membership, error) {
	return s.queryMemberships(ctx, membershipSelect+` WHERE m.source = ? ORDER BY m.user_row_id`, source)
}

// RuleHoldings returns the memberships from source of conn's users, with
// their external ids, ordered by user.
func (s *Store) RuleHoldings(ctx context.Context, conn, source string) ([]store.Holding, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT m.user_row_id, u.external_id, m.entity_id FROM memberships m
		JOIN users u ON u.id = m.user_row_id WHERE m.source = ? AND u.connection = ? AND u.source = 'directory'
		ORDER BY m.user_row_id`, source, conn)
	if err != nil {
		return nil, wrap(err, "rule holdings")
	}
	defer rows.Close()
	var out []store.Holding
	for rows.Next() {
		var h store.Holding
		if err := rows.Scan(&h.UserRowID, &h.ExternalID, &h.EntityID); err != nil {
			return nil, wrap(err, "rule holdings")
		}
		out = append(out, h)
	}
	return out, wrap(rows.Err(), "rule holdings")
}

// SuperUsers returns the row ids of a connection's super users.
func (s *Store) SuperUsers(ctx context.Context, conn string) (map[int64]bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM users WHERE connection = ? AND source = 'directory' AND super_user = 1`, conn)
	if err != nil {
		return nil, wrap(err, "super users")
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, wrap(err, "super users")
		}
		out[id] = true
	}
	return out, rows.Err()
}

// ApplyMemberships writes a batch of membership changes, super-user flags
// and outcomes in one transaction with prepared statements.
func (s *Store) ApplyMemberships(ctx context.Context, b store.MembershipBatch) error {
	if b.Empty() {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap(err, "apply memberships")
	}
	defer tx.Rollback()
	t := now()
	if err := setEventRun(ctx, tx, b.RunID); err != nil {
		return err
	}
	// A first sync of a directory with groups adds a membership for nearly
	// every user: many rows per statement, as for users and outcomes.
	if err := insertMemberships(ctx, tx, b.Add, t); err != nil {
		return wrap(err, "apply memberships")
	}
	steps := []struct {
		q    string
		n    int
		args func(i int) []any
	}{
		{`DELETE FROM memberships WHERE user_row_id = ? AND entity_id = ? AND source = ?`, len(b.Remove),
			func(i int) []any { m := b.Remove[i]; return []any{m.UserRowID, m.EntityID, m.Source} }},
		// Local users are never modified by sync.
		{`UPDATE users SET super_user = ?, updated_at = ? WHERE id = ? AND source = 'directory'`, len(b.SuperUser),
			func(i int) []any { c := b.SuperUser[i]; return []any{c.SuperUser, t, c.UserRowID} }},
	}
	for _, st := range steps {
		if st.n == 0 {
			continue
		}
		stmt, err := tx.PrepareContext(ctx, st.q)
		if err != nil {
			return wrap(err, "apply memberships")
		}
		for i := range st.n {
			if _, err := stmt.ExecContext(ctx, st.args(i)...); err != nil {
				stmt.Close()
				return wrap(err, "apply memberships")
			}
		}
		stmt.Close()
	}
	if err := insertOutcomes(ctx, tx, b.RunID, b.Outcomes); err != nil {
		return err
	}
	if err := setEventRun(ctx, tx, 0); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return wrap(err, "apply memberships: commit")
	}
	return nil
}

// RuleHoldingsOf returns the memberships from source of the users of conn
// linked to exts, with their external ids, 500 ids a statement.
func (s *Store) RuleHoldingsOf(ctx context.Context, conn, source string, exts []string) ([]store.Holding, error) {
	var out []store.Holding
	for start := 0; start < len(exts); start += lookupChunk {
		chunk := exts[start:min(start+lookupChunk, len(exts))]
		args := make([]any, 0, len(chunk)+2)
		args = append(args, source, conn)
		for _, e := range chunk {
			args = append(args, e)
		}
		rows, err := s.db.QueryContext(ctx, holdingsOfQuery(len(chunk)), args...)
		if err != nil {
			return nil, wrap(err, "rule holdings")
		}
		for rows.Next() {
			var h store.Holding
			if err := rows.Scan(&h.UserRowID, &h.ExternalID, &h.EntityID); err != nil {
				rows.Close()
				return nil, wrap(err, "rule holdings")
			}
			out = append(out, h)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, wrap(err, "rule holdings")
		}
	}
	return out, nil
}

// holdingsOfQuery selects the memberships of n named users; its arguments
// are the source, the connection and the n external ids. CROSS JOIN makes
// SQLite look up the named users first and then their memberships: left
// to itself, with a long list of ids it scans every membership of source.
func holdingsOfQuery(n int) string {
	return `SELECT m.user_row_id, u.external_id, m.entity_id FROM users u
		CROSS JOIN memberships m ON m.user_row_id = u.id AND m.source = ?
		WHERE u.connection = ? AND u.source = 'directory' AND u.external_id IN (?` + strings.Repeat(",?", n-1) + `)`
}

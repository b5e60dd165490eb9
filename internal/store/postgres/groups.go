package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/usersync/internal/store"
)

// CreateEntity adds a permission set, application group or site.
func (s *Store) CreateEntity(ctx context.Context, kind, name string) (store.Entity, error) {
	e := store.Entity{Kind: kind, Name: name}
	err := s.pool.QueryRow(ctx, `INSERT INTO app_entities(kind, name) VALUES ($1, $2) RETURNING id`, kind, name).Scan(&e.ID)
	if err != nil {
		return store.Entity{}, wrap(err, "create %s %q", kind, name)
	}
	return e, nil
}

// ListEntities returns the entities of one kind, or of every kind for "".
func (s *Store) ListEntities(ctx context.Context, kind string) ([]store.Entity, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, kind, name FROM app_entities WHERE $1 = '' OR kind = $1 ORDER BY kind COLLATE "C", name COLLATE "C"`, kind)
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
	return out, wrap(rows.Err(), "list entities")
}

// DeleteEntity removes an entity; its memberships go with it (ON DELETE CASCADE).
func (s *Store) DeleteEntity(ctx context.Context, kind, name string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM app_entities WHERE kind = $1 AND name = $2`, kind, name)
	if err != nil {
		return wrap(err, "delete %s %q", kind, name)
	}
	if tag.RowsAffected() == 0 {
		return notFound("%s %q", kind, name)
	}
	return nil
}

func (s *Store) entityID(ctx context.Context, kind, name string) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `SELECT id FROM app_entities WHERE kind = $1 AND name = $2`, kind, name).Scan(&id)
	return id, wrap(err, "%s %q", kind, name)
}

// AddMembership gives a user a membership; an existing one is kept as is.
func (s *Store) AddMembership(ctx context.Context, userRowID int64, kind, name, source string) error {
	id, err := s.entityID(ctx, kind, name)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO memberships(user_row_id, entity_id, source) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		userRowID, id, source)
	if isCode(err, foreignKeyViolation) {
		return notFound("user %d", userRowID)
	}
	return wrap(err, "add membership")
}

// RemoveMembership removes one membership from one source.
func (s *Store) RemoveMembership(ctx context.Context, userRowID int64, kind, name, source string) error {
	id, err := s.entityID(ctx, kind, name)
	if err != nil {
		return err
	}
	tag, err := s.pool.Exec(ctx, `DELETE FROM memberships WHERE user_row_id = $1 AND entity_id = $2 AND source = $3`, userRowID, id, source)
	if err != nil {
		return wrap(err, "remove membership")
	}
	if tag.RowsAffected() == 0 {
		return notFound("user %d has no %s %s %q", userRowID, source, kind, name)
	}
	return nil
}

const membershipSelect = `SELECT m.user_row_id, m.entity_id, e.kind, e.name, m.source FROM memberships m JOIN app_entities e ON e.id = m.entity_id`

func (s *Store) queryMemberships(ctx context.Context, q string, args ...any) ([]store.Membership, error) {
	rows, err := s.pool.Query(ctx, q, args...)
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
	return out, wrap(rows.Err(), "memberships")
}

// UserMemberships returns one user's memberships, by kind, name and source.
func (s *Store) UserMemberships(ctx context.Context, userRowID int64) ([]store.Membership, error) {
	return s.queryMemberships(ctx, membershipSelect+` WHERE m.user_row_id = $1 ORDER BY e.kind COLLATE "C", e.name COLLATE "C", m.source COLLATE "C"`, userRowID)
}

// SourceMemberships returns every membership from one source.
func (s *Store) SourceMemberships(ctx context.Context, source string) ([]store.Membership, error) {
	return s.queryMemberships(ctx, membershipSelect+` WHERE m.source = $1 ORDER BY m.user_row_id`, source)
}

// RuleHoldings returns the memberships from source of conn's users, with
// their external ids, ordered by user.
func (s *Store) RuleHoldings(ctx context.Context, conn, source string) ([]store.Holding, error) {
	rows, err := s.pool.Query(ctx, `SELECT m.user_row_id, u.external_id, m.entity_id FROM memberships m
		JOIN users u ON u.id = m.user_row_id WHERE m.source = $1 AND u.connection = $2 AND u.source = 'directory'
		ORDER BY m.user_row_id`, source, conn)
	return collectHoldings(rows, err)
}

// SuperUsers returns the row ids of a connection's super users.
func (s *Store) SuperUsers(ctx context.Context, conn string) (map[int64]bool, error) {
	rows, err := s.pool.Query(ctx, `SELECT id FROM users WHERE connection = $1 AND source = 'directory' AND super_user`, conn)
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
	return out, wrap(rows.Err(), "super users")
}

// ApplyMemberships writes a batch of membership changes, super-user flags
// and outcomes in one transaction, one statement per kind of change over
// array parameters.
func (s *Store) ApplyMemberships(ctx context.Context, b store.MembershipBatch) error {
	if b.Empty() {
		return nil
	}
	split := func(ms []store.Membership) ([]int64, []int64, []string) {
		u, e, src := make([]int64, len(ms)), make([]int64, len(ms)), make([]string, len(ms))
		for i, m := range ms {
			u[i], e[i], src[i] = m.UserRowID, m.EntityID, m.Source
		}
		return u, e, src
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := setEventRun(ctx, tx, b.RunID); err != nil {
			return err
		}
		if len(b.Add) > 0 {
			u, e, src := split(b.Add)
			if _, err := tx.Exec(ctx, `INSERT INTO memberships(user_row_id, entity_id, source)
				SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[]) ON CONFLICT DO NOTHING`, u, e, src); err != nil {
				return step(err, "add memberships")
			}
		}
		if len(b.Remove) > 0 {
			u, e, src := split(b.Remove)
			if _, err := tx.Exec(ctx, `DELETE FROM memberships m USING unnest($1::bigint[], $2::bigint[], $3::text[]) AS v(u, e, s)
				WHERE m.user_row_id = v.u AND m.entity_id = v.e AND m.source = v.s`, u, e, src); err != nil {
				return step(err, "remove memberships")
			}
		}
		if len(b.SuperUser) > 0 {
			ids, flags := make([]int64, len(b.SuperUser)), make([]bool, len(b.SuperUser))
			for i, c := range b.SuperUser {
				ids[i], flags[i] = c.UserRowID, c.SuperUser
			}
			// Local users are never modified by sync.
			if _, err := tx.Exec(ctx, `UPDATE users u SET super_user = v.su, updated_at = now()
				FROM unnest($1::bigint[], $2::bool[]) AS v(id, su) WHERE u.id = v.id AND u.source = 'directory'`, ids, flags); err != nil {
				return step(err, "set super users")
			}
		}
		return insertOutcomes(ctx, tx, b.RunID, b.Outcomes)
	})
	return wrap(err, "apply memberships")
}

// RuleHoldingsOf returns the memberships from source of the users of conn
// linked to exts, with their external ids, in one statement.
func (s *Store) RuleHoldingsOf(ctx context.Context, conn, source string, exts []string) ([]store.Holding, error) {
	if len(exts) == 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT m.user_row_id, u.external_id, m.entity_id FROM users u
		JOIN memberships m ON m.user_row_id = u.id AND m.source = $2
		WHERE u.connection = $1 AND u.source = 'directory' AND u.external_id = ANY($3)`, conn, source, exts)
	return collectHoldings(rows, err)
}

// collectHoldings reads the (user_row_id, external_id, entity_id) rows of a
// rule-holdings query.
func collectHoldings(rows pgx.Rows, err error) ([]store.Holding, error) {
	if err != nil {
		return nil, wrap(err, "rule holdings")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Holding, error) {
		var h store.Holding
		err := r.Scan(&h.UserRowID, &h.ExternalID, &h.EntityID)
		return h, err
	})
	return out, wrap(err, "rule holdings")
}

package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/usersync/usersync/internal/connection"
	"github.com/usersync/usersync/internal/store"
)

// PutConnection creates or replaces a connection by name. The document is
// stored without its password; the sealed password lives in its own column.
func (s *Store) PutConnection(ctx context.Context, c connection.Connection, sealedPassword string) error {
	c.Password = ""
	c.HasPassword = sealedPassword != ""
	doc, err := json.Marshal(c)
	if err != nil {
		return wrap(err, "put connection %q", c.Name)
	}
	t := now()
	_, err = s.db.ExecContext(ctx, `
		INSERT INTO connections(name, document, sealed_password, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT(name) DO UPDATE SET document = excluded.document,
			sealed_password = excluded.sealed_password, updated_at = excluded.updated_at`,
		c.Name, string(doc), sealedPassword, t, t)
	if err != nil {
		return wrap(err, "put connection %q", c.Name)
	}
	return nil
}

// GetConnection returns a connection and its sealed password.
func (s *Store) GetConnection(ctx context.Context, name string) (connection.Connection, string, error) {
	var doc, sealed string
	err := s.queryRowStmt(ctx, `SELECT document, sealed_password FROM connections WHERE name = ?`, name).Scan(&doc, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return connection.Connection{}, "", fmt.Errorf("sqlite: connection %q: %w", name, store.ErrNotFound)
	}
	if err != nil {
		return connection.Connection{}, "", wrap(err, "get connection %q", name)
	}
	c, err := decodeConnection(doc)
	c.HasPassword = sealed != ""
	return c, sealed, err
}

func decodeConnection(doc string) (connection.Connection, error) {
	var c connection.Connection
	if err := json.Unmarshal([]byte(doc), &c); err != nil {
		return c, wrap(err, "decode connection")
	}
	c.ApplyDefaults()
	return c, nil
}

// ListConnections returns every connection, ordered by name.
func (s *Store) ListConnections(ctx context.Context) ([]connection.Connection, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT document, sealed_password <> '' FROM connections ORDER BY name`)
	if err != nil {
		return nil, wrap(err, "list connections")
	}
	defer rows.Close()
	var out []connection.Connection
	for rows.Next() {
		var doc string
		var has bool
		if err := rows.Scan(&doc, &has); err != nil {
			return nil, wrap(err, "list connections")
		}
		c, err := decodeConnection(doc)
		if err != nil {
			return nil, err
		}
		c.HasPassword = has
		out = append(out, c)
	}
	return out, rows.Err()
}

// DeleteConnection removes a connection. Its users stay, so that removing a
// connection by mistake loses nothing.
func (s *Store) DeleteConnection(ctx context.Context, name string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM connections WHERE name = ?`, name)
	if err != nil {
		return wrap(err, "delete connection %q", name)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlite: connection %q: %w", name, store.ErrNotFound)
	}
	return nil
}

// ChangeToken returns the connection's saved change token.
func (s *Store) ChangeToken(ctx context.Context, name string) (string, error) {
	var tok string
	err := s.db.QueryRowContext(ctx, `SELECT change_token FROM connections WHERE name = ?`, name).Scan(&tok)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("sqlite: connection %q: %w", name, store.ErrNotFound)
	}
	if err != nil {
		return "", wrap(err, "change token %q", name)
	}
	return tok, nil
}

package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/usersync/usersync/internal/connection"
)

// PutConnection creates or replaces a connection by name. The document is
// stored without its password; the sealed password lives in its own column.
func (s *Store) PutConnection(ctx context.Context, c connection.Connection, sealedPassword string) error {
	c.Password = ""
	c.HasPassword = sealedPassword != ""
	doc, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("postgres: put connection %q: %w", c.Name, err)
	}
	_, err = s.pool.Exec(ctx, `
		INSERT INTO connections(name, document, sealed_password) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET document = excluded.document,
			sealed_password = excluded.sealed_password, updated_at = now()`,
		c.Name, doc, sealedPassword)
	return wrap(err, "put connection %q", c.Name)
}

// GetConnection returns a connection and its sealed password.
func (s *Store) GetConnection(ctx context.Context, name string) (connection.Connection, string, error) {
	var doc []byte
	var sealed string
	err := s.pool.QueryRow(ctx, `SELECT document, sealed_password FROM connections WHERE name = $1`, name).Scan(&doc, &sealed)
	if err != nil {
		return connection.Connection{}, "", wrap(err, "connection %q", name)
	}
	c, err := decodeConnection(doc)
	c.HasPassword = sealed != ""
	return c, sealed, err
}

func decodeConnection(doc []byte) (connection.Connection, error) {
	var c connection.Connection
	if err := json.Unmarshal(doc, &c); err != nil {
		return c, fmt.Errorf("postgres: decode connection: %w", err)
	}
	c.ApplyDefaults()
	return c, nil
}

// ListConnections returns every connection, ordered by name (byte order,
// as SQLite sorts).
func (s *Store) ListConnections(ctx context.Context) ([]connection.Connection, error) {
	rows, err := s.pool.Query(ctx, `SELECT document, sealed_password <> '' FROM connections ORDER BY name COLLATE "C"`)
	if err != nil {
		return nil, wrap(err, "list connections")
	}
	defer rows.Close()
	var out []connection.Connection
	for rows.Next() {
		var doc []byte
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
	return out, wrap(rows.Err(), "list connections")
}

// DeleteConnection removes a connection. Its users stay, so that removing a
// connection by mistake loses nothing.
func (s *Store) DeleteConnection(ctx context.Context, name string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM connections WHERE name = $1`, name)
	if err != nil {
		return wrap(err, "delete connection %q", name)
	}
	if tag.RowsAffected() == 0 {
		return notFound("connection %q", name)
	}
	return nil
}

// ChangeToken returns the connection's saved change token.
func (s *Store) ChangeToken(ctx context.Context, name string) (string, error) {
	var tok string
	err := s.pool.QueryRow(ctx, `SELECT change_token FROM connections WHERE name = $1`, name).Scan(&tok)
	return tok, wrap(err, "change token of %q", name)
}

// ClearChangeToken forgets a connection's change token.
func (s *Store) ClearChangeToken(ctx context.Context, conn string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE connections SET change_token = '' WHERE name = $1`, conn)
	if err != nil {
		return wrap(err, "clear change token of %q", conn)
	}
	if tag.RowsAffected() == 0 {
		return notFound("connection %q", conn)
	}
	return nil
}

package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // the PostgreSQL store's driver, to count users after each run

	pgtest "github.com/usersync/usersync/internal/testdir/postgres"
	"github.com/usersync/usersync/internal/testdir/slapd"
)

// startPostgres starts the throwaway cluster of a -postgres run. It runs
// with fsync off, as the test cluster does; the SQLite store keeps its own
// settings, so compare the two stores' rows with that in mind.
func (h *harness) startPostgres(ctx context.Context) (func(), error) {
	pg, err := pgtest.Start(ctx)
	if err != nil {
		return nil, fmt.Errorf("start PostgreSQL: %w", err)
	}
	h.pg = pg
	return pg.Stop, nil
}

// freshPostgresStore points the runs at a new empty database, registers the
// connection and, with -groups, the application groups (one CLI run each:
// there is no file to copy).
func (h *harness) freshPostgresStore(ctx context.Context) error {
	url, err := h.pg.CreateDatabase(ctx)
	if err != nil {
		return fmt.Errorf("create database: %w", err)
	}
	h.pgURL = url
	if err := h.freshPlainStore(ctx); err != nil {
		return err
	}
	for g := 1; h.cfg.groups && g <= benchGroups+1; g++ {
		name := bigGroupName
		if g <= benchGroups {
			name = slapd.GroupName(g)
		}
		if _, err := timed(h.usersync(ctx, "group", "add", name)); err != nil {
			return fmt.Errorf("group add %s: %w", name, err)
		}
	}
	return nil
}

// openStore opens the current store read-only where the driver allows, for
// checkStore.
func (h *harness) openStore() (*sql.DB, error) {
	if strings.HasPrefix(h.dbPath(), "postgres://") {
		return sql.Open("pgx", h.dbPath())
	}
	return sql.Open("sqlite", "file:"+h.dbPath()+"?mode=ro")
}

type pgCluster = pgtest.Cluster

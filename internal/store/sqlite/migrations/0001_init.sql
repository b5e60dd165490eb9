CREATE TABLE connections (
    name            TEXT PRIMARY KEY,
    document        TEXT NOT NULL,
    sealed_password TEXT NOT NULL DEFAULT '',
    change_token    TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    connection    TEXT NOT NULL DEFAULT '',
    external_id   TEXT NOT NULL DEFAULT '',
    user_id       TEXT NOT NULL,
    status        TEXT NOT NULL,
    source        TEXT NOT NULL,
    fields        TEXT NOT NULL DEFAULT '{}',
    hash          INTEGER NOT NULL DEFAULT 0,
    password_hash TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX users_link ON users(connection, external_id) WHERE source = 'directory';
CREATE UNIQUE INDEX users_local_id ON users(lower(user_id)) WHERE source = 'local';
CREATE INDEX users_user_id ON users(lower(user_id));

CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    connection  TEXT NOT NULL,
    trigger     TEXT NOT NULL,
    mode        TEXT NOT NULL,
    dry_run     INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL,
    error       TEXT NOT NULL DEFAULT '',
    warnings    TEXT NOT NULL DEFAULT '[]',
    counts      TEXT NOT NULL DEFAULT '{}',
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    duration_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX runs_connection ON runs(connection, id);

CREATE TABLE run_outcomes (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    user_row_id INTEGER NOT NULL DEFAULT 0,
    external_id TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    action      TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    changes     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX run_outcomes_run ON run_outcomes(run_id, action);

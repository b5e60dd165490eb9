-- The whole schema of SQLite migrations 0001-0007, in PostgreSQL terms:
-- BIGSERIAL ids, timestamptz times, JSONB documents and booleans.
CREATE TABLE connections (
    name            TEXT PRIMARY KEY,
    document        JSONB NOT NULL,
    sealed_password TEXT NOT NULL DEFAULT '',
    change_token    TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id             BIGSERIAL PRIMARY KEY,
    connection     TEXT NOT NULL DEFAULT '',
    external_id    TEXT NOT NULL DEFAULT '',
    user_id        TEXT NOT NULL,
    status         TEXT NOT NULL,
    source         TEXT NOT NULL,
    fields         JSONB NOT NULL DEFAULT '{}',
    -- The uint64 hash, stored bit for bit as a signed 64-bit integer.
    hash           BIGINT NOT NULL DEFAULT 0,
    password_hash  TEXT NOT NULL DEFAULT '',
    super_user     BOOLEAN NOT NULL DEFAULT false,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    deactivated_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX users_link ON users(connection, external_id) WHERE source = 'directory';
CREATE UNIQUE INDEX users_local_id ON users(lower(user_id)) WHERE source = 'local';
CREATE INDEX users_user_id ON users(lower(user_id));
-- Few users are super users: a partial index keeps the per-run read tiny.
CREATE INDEX users_super_user ON users(connection) WHERE super_user;

CREATE TABLE runs (
    id          BIGSERIAL PRIMARY KEY,
    connection  TEXT NOT NULL,
    trigger     TEXT NOT NULL,
    mode        TEXT NOT NULL,
    dry_run     BOOLEAN NOT NULL DEFAULT false,
    status      TEXT NOT NULL,
    error       TEXT NOT NULL DEFAULT '',
    warnings    JSONB NOT NULL DEFAULT '[]',
    counts      JSONB NOT NULL DEFAULT '{}',
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    duration_ms BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX runs_connection ON runs(connection, id);
CREATE INDEX runs_started ON runs(started_at);

CREATE TABLE run_outcomes (
    id          BIGSERIAL PRIMARY KEY,
    run_id      BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    user_row_id BIGINT NOT NULL DEFAULT 0,
    external_id TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    action      TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    changes     JSONB,
    warnings    JSONB
);
CREATE INDEX run_outcomes_run ON run_outcomes(run_id, action);
CREATE INDEX run_outcomes_external ON run_outcomes(external_id);
CREATE INDEX run_outcomes_user ON run_outcomes(lower(user_id));

-- Certificates enrolled for relying-party connections and the
-- altSecurityIdentities values usersync wrote for them (written_dn is the
-- entry it wrote to, '' when usersync owns no value in the directory).
CREATE TABLE certificates (
    id          BIGSERIAL PRIMARY KEY,
    connection  TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    form        TEXT NOT NULL,
    mapping     TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    subject     TEXT NOT NULL DEFAULT '',
    issuer      TEXT NOT NULL DEFAULT '',
    serial      TEXT NOT NULL DEFAULT '',
    not_after   TIMESTAMPTZ NOT NULL,
    status      TEXT NOT NULL,
    written_dn  TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at  TIMESTAMPTZ
);
CREATE UNIQUE INDEX certificates_mapping ON certificates(connection, lower(user_id), mapping);

-- The web UI and API. Session ids and tokens are stored as SHA-256 hashes only.
CREATE TABLE admins (
    name          TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    admin      TEXT NOT NULL REFERENCES admins(name) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_expires ON sessions(expires_at);

CREATE TABLE api_tokens (
    id           BIGSERIAL PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    token_hash   TEXT NOT NULL UNIQUE,
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at TIMESTAMPTZ
);

-- One run per connection at a time, across every instance sharing the
-- database: the holder of an unexpired lease is the only one that may run it.
CREATE TABLE leases (
    connection  TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    acquired_at TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);

-- The scheduler's per-connection state (see the SQLite migration 0005).
CREATE TABLE schedule_state (
    connection       TEXT PRIMARY KEY,
    paused           BOOLEAN NOT NULL DEFAULT false,
    last_fire        TIMESTAMPTZ,
    next_run_at      TIMESTAMPTZ,
    run_requested_at TIMESTAMPTZ,
    run_full         BOOLEAN NOT NULL DEFAULT false
);

-- Application entities and the users' memberships in them.
CREATE TABLE app_entities (
    id         BIGSERIAL PRIMARY KEY,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX app_entities_name ON app_entities(kind, name);

CREATE TABLE memberships (
    user_row_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    entity_id   BIGINT NOT NULL REFERENCES app_entities(id) ON DELETE CASCADE,
    source      TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_row_id, entity_id, source)
);
CREATE INDEX memberships_source ON memberships(source, user_row_id);
CREATE INDEX memberships_entity ON memberships(entity_id);

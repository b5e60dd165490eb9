-- SCIM connections: the bearer tokens their clients present (hashes only)
-- and the Users and Groups as the clients last wrote them.
CREATE TABLE scim_tokens (
    id           INTEGER PRIMARY KEY,
    connection   TEXT NOT NULL,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    UNIQUE (connection, name)
);

CREATE TABLE scim_resources (
    connection  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    id          TEXT NOT NULL,
    name_key    TEXT,
    external_id TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (connection, kind, id)
);
CREATE UNIQUE INDEX scim_resources_name ON scim_resources(connection, kind, name_key) WHERE name_key IS NOT NULL;
CREATE INDEX scim_resources_external ON scim_resources(connection, kind, external_id);

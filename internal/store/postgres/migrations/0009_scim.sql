-- SCIM connections: the bearer tokens their clients present (hashes only)
-- and the Users and Groups as the clients last wrote them.
CREATE TABLE scim_tokens (
    id           BIGSERIAL PRIMARY KEY,
    connection   TEXT NOT NULL,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at TIMESTAMPTZ,
    UNIQUE (connection, name)
);

CREATE TABLE scim_resources (
    connection  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    id          TEXT NOT NULL,
    name_key    TEXT,
    external_id TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (connection, kind, id)
);
CREATE UNIQUE INDEX scim_resources_name ON scim_resources(connection, kind, name_key) WHERE name_key IS NOT NULL;
CREATE INDEX scim_resources_external ON scim_resources(connection, kind, external_id);

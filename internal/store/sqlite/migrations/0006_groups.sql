-- Application entities (permission sets, application groups, sites) and the
-- users' memberships in them.
CREATE TABLE app_entities (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
-- Names are compared exactly: a directory group maps to the entity "whose
-- name matches exactly".
CREATE UNIQUE INDEX app_entities_name ON app_entities(kind, name);

-- source is 'manual' (assigned by hand) or 'rule:<connection>' (managed by
-- the connection's group rules); the same membership may exist under both.
CREATE TABLE memberships (
    user_row_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    entity_id   INTEGER NOT NULL REFERENCES app_entities(id) ON DELETE CASCADE,
    source      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (user_row_id, entity_id, source)
);
CREATE INDEX memberships_source ON memberships(source, user_row_id);
CREATE INDEX memberships_entity ON memberships(entity_id);

ALTER TABLE users ADD COLUMN super_user INTEGER NOT NULL DEFAULT 0;

-- The change feed: every change to a user or a membership is recorded as an
-- event by triggers, so that it is in the same transaction as the change
-- whatever code path made it (a run, an operator's edit, a local user, an
-- undo). SQLite has one writer at a time, so sequence numbers are handed
-- out in commit order; AUTOINCREMENT never reuses one after a prune.
CREATE TABLE events (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL,
    at            TEXT NOT NULL,
    run_id        INTEGER NOT NULL DEFAULT 0,
    connection    TEXT NOT NULL DEFAULT '',
    user_row_id   INTEGER NOT NULL,
    -- The user as it is after the change (before it, for user.deleted).
    external_id   TEXT,
    user_id       TEXT,
    status        TEXT,
    source        TEXT,
    super_user    INTEGER,
    fields        TEXT,
    -- The names of the fields whose value a user.updated, .deactivated or
    -- .reactivated event changed or removed (a JSON array).
    changed       TEXT,
    -- The membership of a membership.* event.
    entity_kind   TEXT,
    entity_name   TEXT,
    member_source TEXT
);
CREATE INDEX events_at ON events(at);

-- One row: the run whose changes the current transaction writes (set by
-- Apply and ApplyMemberships, reset before they commit), and the highest
-- sequence number pruned, so that a reader asking for older events learns
-- that it missed some instead of silently skipping them.
CREATE TABLE event_state (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    run_id         INTEGER NOT NULL DEFAULT 0,
    pruned_through INTEGER NOT NULL DEFAULT 0
);
INSERT INTO event_state(id) VALUES (1);

CREATE TRIGGER users_event_insert AFTER INSERT ON users BEGIN
    INSERT INTO events(kind, at, run_id, connection, user_row_id, external_id, user_id, status, source, super_user, fields)
    VALUES ('user.created', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT run_id FROM event_state WHERE id = 1),
        NEW.connection, NEW.id, NEW.external_id, NEW.user_id, NEW.status, NEW.source, NEW.super_user, NEW.fields);
END;

-- Only what a client sees counts as a change: a new hash, password or
-- timestamp alone is no event.
CREATE TRIGGER users_event_update AFTER UPDATE ON users
WHEN OLD.user_id IS NOT NEW.user_id OR OLD.status IS NOT NEW.status OR OLD.fields IS NOT NEW.fields
    OR OLD.super_user IS NOT NEW.super_user OR OLD.external_id IS NOT NEW.external_id OR OLD.connection IS NOT NEW.connection
BEGIN
    INSERT INTO events(kind, at, run_id, connection, user_row_id, external_id, user_id, status, source, super_user, fields, changed)
    VALUES (CASE WHEN OLD.status = 'active' AND NEW.status <> 'active' THEN 'user.deactivated'
                 WHEN OLD.status <> 'active' AND NEW.status = 'active' THEN 'user.reactivated'
                 ELSE 'user.updated' END,
        strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT run_id FROM event_state WHERE id = 1),
        NEW.connection, NEW.id, NEW.external_id, NEW.user_id, NEW.status, NEW.source, NEW.super_user, NEW.fields,
        CASE WHEN OLD.fields IS NEW.fields THEN '[]' ELSE (SELECT json_group_array(key) FROM (
            SELECT n.key AS key FROM json_each(NEW.fields) n LEFT JOIN json_each(OLD.fields) o ON o.key = n.key
                WHERE o.key IS NULL OR o.value IS NOT n.value
            UNION
            SELECT o.key FROM json_each(OLD.fields) o LEFT JOIN json_each(NEW.fields) n ON n.key = o.key WHERE n.key IS NULL
            ORDER BY 1)) END);
END;

CREATE TRIGGER users_event_delete AFTER DELETE ON users BEGIN
    INSERT INTO events(kind, at, run_id, connection, user_row_id, external_id, user_id, status, source, super_user, fields)
    VALUES ('user.deleted', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT run_id FROM event_state WHERE id = 1),
        OLD.connection, OLD.id, OLD.external_id, OLD.user_id, OLD.status, OLD.source, OLD.super_user, OLD.fields);
END;

-- A membership event names its entity by kind and name. Deleting an
-- entity removes its memberships first, while the entity still exists, so
-- that each removal is recorded with the entity's name.
CREATE TRIGGER app_entities_delete_memberships BEFORE DELETE ON app_entities BEGIN
    DELETE FROM memberships WHERE entity_id = OLD.id;
END;

CREATE TRIGGER memberships_event_insert AFTER INSERT ON memberships BEGIN
    INSERT INTO events(kind, at, run_id, connection, user_row_id, entity_kind, entity_name, member_source)
    SELECT 'membership.added', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT run_id FROM event_state WHERE id = 1),
        COALESCE((SELECT connection FROM users WHERE id = NEW.user_row_id), ''), NEW.user_row_id, e.kind, e.name, NEW.source
    FROM app_entities e WHERE e.id = NEW.entity_id;
END;

-- The connection of a membership removed because its user was deleted is
-- no longer in users; a rule membership still names it in its source.
CREATE TRIGGER memberships_event_delete AFTER DELETE ON memberships BEGIN
    INSERT INTO events(kind, at, run_id, connection, user_row_id, entity_kind, entity_name, member_source)
    SELECT 'membership.removed', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT run_id FROM event_state WHERE id = 1),
        COALESCE((SELECT connection FROM users WHERE id = OLD.user_row_id),
                 CASE WHEN OLD.source LIKE 'rule:%' THEN substr(OLD.source, 6) ELSE '' END),
        OLD.user_row_id, e.kind, e.name, OLD.source
    FROM app_entities e WHERE e.id = OLD.entity_id;
END;

-- A store upgraded with users already in it starts its feed with them, so
-- that a client following the feed from sequence 0 rebuilds every user and
-- membership, not only those changed after the upgrade.
INSERT INTO events(kind, at, connection, user_row_id, external_id, user_id, status, source, super_user, fields)
SELECT 'user.created', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), connection, id, external_id, user_id, status, source, super_user, fields
FROM users ORDER BY id;
INSERT INTO events(kind, at, connection, user_row_id, entity_kind, entity_name, member_source)
SELECT 'membership.added', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), u.connection, m.user_row_id, e.kind, e.name, m.source
FROM memberships m JOIN app_entities e ON e.id = m.entity_id JOIN users u ON u.id = m.user_row_id
ORDER BY m.user_row_id, e.kind, e.name, m.source;

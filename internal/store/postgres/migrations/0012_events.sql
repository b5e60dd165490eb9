-- The change feed: every change to a user or a membership is recorded as an
-- event by triggers, in the same transaction as the change, whatever code
-- path made it (a run, an operator's edit, a local user, an undo).
--
-- Sequence numbers must appear in commit order: a reader that has seen
-- seq 10 must never later find a seq 9 committed after its read. A plain
-- sequence does not give that with concurrent writers (one transaction
-- takes 9, another takes 10 and commits first). So every transaction that
-- writes users or memberships first takes one transaction-level advisory
-- lock, held to its commit or rollback, and only then draws numbers: the
-- writers of events run one after another from their first change to
-- their commit, and a later commit always holds higher numbers. Apply
-- batches are short, so the wait is short; readers take no lock at all. A
-- rolled-back transaction leaves a gap, which no reader can mistake for a
-- missed event.
--
-- The lock is taken by BEFORE STATEMENT triggers, before the statement
-- locks any row: taken after (in the AFTER triggers), an operator's edit
-- holding a user's row would wait for the lock while a run holding the
-- lock waits for that row, a deadlock.
CREATE TABLE events (
    seq           BIGSERIAL PRIMARY KEY,
    kind          TEXT NOT NULL,
    at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    run_id        BIGINT NOT NULL DEFAULT 0,
    connection    TEXT NOT NULL DEFAULT '',
    user_row_id   BIGINT NOT NULL,
    -- The user as it is after the change (before it, for user.deleted).
    external_id   TEXT,
    user_id       TEXT,
    status        TEXT,
    source        TEXT,
    super_user    BOOLEAN,
    fields        JSONB,
    -- The names of the fields whose value a user.updated, .deactivated or
    -- .reactivated event changed or removed.
    changed       TEXT[],
    -- The membership of a membership.* event.
    entity_kind   TEXT,
    entity_name   TEXT,
    member_source TEXT
);
CREATE INDEX events_at ON events(at);

-- The highest sequence number pruned, so that a reader asking for older
-- events learns that it missed some instead of silently skipping them.
CREATE TABLE event_state (
    id             INT PRIMARY KEY CHECK (id = 1),
    pruned_through BIGINT NOT NULL DEFAULT 0
);
INSERT INTO event_state(id) VALUES (1);

-- The run a transaction writes for is its transaction-local setting
-- usersync.run_id (set by Apply and ApplyMemberships); 0 when unset.
CREATE FUNCTION usersync_event_run() RETURNS BIGINT LANGUAGE sql STABLE AS $$
    SELECT COALESCE(NULLIF(current_setting('usersync.run_id', true), ''), '0')::bigint
$$;

CREATE FUNCTION usersync_user_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NOT EXISTS (SELECT 1 FROM new_rows) THEN RETURN NULL; END IF;
        INSERT INTO events(kind, run_id, connection, user_row_id, external_id, user_id, status, source, super_user, fields)
        SELECT 'user.created', usersync_event_run(), n.connection, n.id, n.external_id, n.user_id, n.status, n.source, n.super_user, n.fields
        FROM (SELECT * FROM new_rows ORDER BY id) n;
    ELSIF TG_OP = 'UPDATE' THEN
        -- Only what a client sees counts as a change: a new hash,
        -- password or timestamp alone is no event.
        IF NOT EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (o.user_id, o.status, o.fields, o.super_user, o.external_id, o.connection)
                IS DISTINCT FROM (n.user_id, n.status, n.fields, n.super_user, n.external_id, n.connection)) THEN
            RETURN NULL;
        END IF;
        INSERT INTO events(kind, run_id, connection, user_row_id, external_id, user_id, status, source, super_user, fields, changed)
        SELECT CASE WHEN c.old_status = 'active' AND c.status <> 'active' THEN 'user.deactivated'
                    WHEN c.old_status <> 'active' AND c.status = 'active' THEN 'user.reactivated'
                    ELSE 'user.updated' END,
            usersync_event_run(), c.connection, c.id, c.external_id, c.user_id, c.status, c.source, c.super_user, c.fields,
            ARRAY(SELECT k FROM (
                SELECT ne.key AS k FROM jsonb_each(c.fields) ne WHERE c.old_fields -> ne.key IS DISTINCT FROM ne.value
                UNION
                SELECT oe.key FROM jsonb_each(c.old_fields) oe WHERE NOT c.fields ? oe.key) x ORDER BY k COLLATE "C")
        FROM (SELECT n.*, o.status AS old_status, o.fields AS old_fields FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (o.user_id, o.status, o.fields, o.super_user, o.external_id, o.connection)
                IS DISTINCT FROM (n.user_id, n.status, n.fields, n.super_user, n.external_id, n.connection)
            ORDER BY n.id) c;
    ELSE
        IF NOT EXISTS (SELECT 1 FROM old_rows) THEN RETURN NULL; END IF;
        INSERT INTO events(kind, run_id, connection, user_row_id, external_id, user_id, status, source, super_user, fields)
        SELECT 'user.deleted', usersync_event_run(), o.connection, o.id, o.external_id, o.user_id, o.status, o.source, o.super_user, o.fields
        FROM (SELECT * FROM old_rows ORDER BY id) o;
    END IF;
    RETURN NULL;
END $$;

-- 7531902465 is the feed's lock key (the migration lock is another).
CREATE FUNCTION usersync_events_lock() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7531902465);
    RETURN NULL;
END $$;
CREATE TRIGGER users_events_lock BEFORE INSERT OR UPDATE OR DELETE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION usersync_events_lock();
CREATE TRIGGER memberships_events_lock BEFORE INSERT OR DELETE ON memberships
    FOR EACH STATEMENT EXECUTE FUNCTION usersync_events_lock();
-- Deleting an entity deletes its memberships while it holds the entity's
-- row, which a run adding a membership to it waits for: it takes the lock
-- first too.
CREATE TRIGGER app_entities_events_lock BEFORE DELETE ON app_entities
    FOR EACH STATEMENT EXECUTE FUNCTION usersync_events_lock();

CREATE TRIGGER users_event_insert AFTER INSERT ON users REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION usersync_user_events();
CREATE TRIGGER users_event_update AFTER UPDATE ON users REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION usersync_user_events();
CREATE TRIGGER users_event_delete AFTER DELETE ON users REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION usersync_user_events();

-- A membership event names its entity by kind and name. The connection of
-- a membership removed because its user was deleted is no longer in
-- users; a rule membership still names it in its source.
CREATE FUNCTION usersync_membership_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NOT EXISTS (SELECT 1 FROM new_rows) THEN RETURN NULL; END IF;
        INSERT INTO events(kind, run_id, connection, user_row_id, entity_kind, entity_name, member_source)
        SELECT 'membership.added', usersync_event_run(), COALESCE(u.connection, ''), m.user_row_id, e.kind, e.name, m.source
        FROM (SELECT * FROM new_rows ORDER BY user_row_id, entity_id, source) m
        JOIN app_entities e ON e.id = m.entity_id LEFT JOIN users u ON u.id = m.user_row_id;
    ELSE
        IF NOT EXISTS (SELECT 1 FROM old_rows) THEN RETURN NULL; END IF;
        INSERT INTO events(kind, run_id, connection, user_row_id, entity_kind, entity_name, member_source)
        SELECT 'membership.removed', usersync_event_run(),
            COALESCE(u.connection, CASE WHEN m.source LIKE 'rule:%' THEN substr(m.source, 6) ELSE '' END),
            m.user_row_id, e.kind, e.name, m.source
        FROM (SELECT * FROM old_rows ORDER BY user_row_id, entity_id, source) m
        JOIN app_entities e ON e.id = m.entity_id LEFT JOIN users u ON u.id = m.user_row_id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER memberships_event_insert AFTER INSERT ON memberships REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION usersync_membership_events();
CREATE TRIGGER memberships_event_delete AFTER DELETE ON memberships REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION usersync_membership_events();

-- Deleting an entity removes its memberships first, while the entity
-- still exists, so that each removal is recorded with the entity's name.
CREATE FUNCTION usersync_entity_delete_memberships() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM memberships WHERE entity_id = OLD.id;
    RETURN OLD;
END $$;
CREATE TRIGGER app_entities_delete_memberships BEFORE DELETE ON app_entities
    FOR EACH ROW EXECUTE FUNCTION usersync_entity_delete_memberships();

-- A store upgraded with users already in it starts its feed with them, so
-- that a client following the feed from sequence 0 rebuilds every user and
-- membership, not only those changed after the upgrade.
INSERT INTO events(kind, connection, user_row_id, external_id, user_id, status, source, super_user, fields)
SELECT 'user.created', connection, id, external_id, user_id, status, source, super_user, fields FROM users ORDER BY id;
INSERT INTO events(kind, connection, user_row_id, entity_kind, entity_name, member_source)
SELECT 'membership.added', u.connection, m.user_row_id, e.kind, e.name, m.source
FROM memberships m JOIN app_entities e ON e.id = m.entity_id JOIN users u ON u.id = m.user_row_id
ORDER BY m.user_row_id, e.kind, e.name, m.source;

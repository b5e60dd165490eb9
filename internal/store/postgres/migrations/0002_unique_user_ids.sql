-- Two active users never share a userId, compared case-insensitively,
-- across connections and sources. Users that already did when this was
-- introduced are kept, not failed on: every one but the oldest gets its own
-- row id in id_clash, which exempts it from the index and lists it in
-- DuplicateUserIDs until it is deactivated or renamed (both reset id_clash).
ALTER TABLE users ADD COLUMN id_clash BIGINT NOT NULL DEFAULT 0;
UPDATE users SET id_clash = id WHERE status = 'active' AND EXISTS (
    SELECT 1 FROM users o WHERE o.status = 'active' AND lower(o.user_id) = lower(users.user_id) AND o.id < users.id);
CREATE UNIQUE INDEX users_active_user_id ON users(lower(user_id), id_clash) WHERE status = 'active';
-- Kept duplicates are few: a partial index finds them without reading every
-- user, as each run does to report them.
CREATE INDEX users_id_clash ON users(id_clash) WHERE id_clash <> 0;

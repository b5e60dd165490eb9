-- Two active users never share a userId compared with Unicode case
-- folding; SQLite's lower() folds ASCII only. user_key holds the folded
-- userId, computed by usersync on every write (store.UserIDKey); the Go
-- step of this migration fills it for existing users, keeps users that
-- now turn out to share a userId the way 0008 did (id_clash), and moves
-- the unique index of active userIds onto it.
ALTER TABLE users ADD COLUMN user_key TEXT NOT NULL DEFAULT '';
DROP INDEX users_active_user_id;

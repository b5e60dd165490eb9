-- Lookups by userId use the Go-folded user_key and its indexes; nothing
-- reads users through lower(user_id) any more, so this index only cost a
-- B-tree insert for every user a sync creates or renames.
DROP INDEX IF EXISTS users_user_id;

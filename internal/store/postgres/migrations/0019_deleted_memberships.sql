-- A deleted user's memberships, of every source, kept with the rest of its
-- last state so that restoring the user gives them back: a JSON array of
-- {"kind", "name", "source"}.
ALTER TABLE deleted_users ADD COLUMN memberships JSONB NOT NULL DEFAULT '[]';

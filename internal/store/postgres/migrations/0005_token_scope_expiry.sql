-- API tokens get a scope (read, run or admin) and an expiry. Tokens made
-- before this migration could do everything and never expired: they keep
-- the admin scope and expire 90 days from now, so that no automation breaks
-- at once and none lives for ever.
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'admin';
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMPTZ;
UPDATE api_tokens SET expires_at = now() + interval '90 days';
ALTER TABLE api_tokens ALTER COLUMN expires_at SET NOT NULL;

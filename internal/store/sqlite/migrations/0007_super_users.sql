-- The group phase reads a connection's super users on every run: without
-- an index that read visits every user row (60 ms at 100,000 users).
-- Few users are super users, so a partial index stays tiny.
CREATE INDEX IF NOT EXISTS users_super_user ON users(connection) WHERE super_user = 1;

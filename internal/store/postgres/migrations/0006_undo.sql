-- An undo run names the run it takes back.
ALTER TABLE runs ADD COLUMN undo_of BIGINT NOT NULL DEFAULT 0;
CREATE INDEX runs_undo_of ON runs(undo_of) WHERE undo_of <> 0;

-- The last state of each user a run deleted, kept for a retention period
-- so that undoing the run can restore the user.
CREATE TABLE deleted_users (
    run_id      BIGINT NOT NULL,
    user_row_id BIGINT NOT NULL,
    connection  TEXT NOT NULL,
    external_id TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    status      TEXT NOT NULL,
    fields      JSONB NOT NULL DEFAULT '{}',
    hash        BIGINT NOT NULL DEFAULT 0,
    super_user  BOOLEAN NOT NULL DEFAULT false,
    created_at  TIMESTAMPTZ NOT NULL,
    deleted_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (run_id, user_row_id)
);
CREATE INDEX deleted_users_deleted_at ON deleted_users(deleted_at);

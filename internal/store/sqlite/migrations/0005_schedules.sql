-- One run per connection at a time, across every usersync instance that
-- shares this store: the holder of an unexpired lease is the only one that
-- may run the connection.
CREATE TABLE leases (
    connection TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    acquired_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- The scheduler's per-connection state. last_fire is the scheduled time
-- most recently claimed by some instance, so that two schedulers never both
-- run the same firing; run_requested_at is a pending "run now".
CREATE TABLE schedule_state (
    connection       TEXT PRIMARY KEY,
    paused           INTEGER NOT NULL DEFAULT 0,
    last_fire        TEXT,
    next_run_at      TEXT,
    run_requested_at TEXT,
    run_full         INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX run_outcomes_user ON run_outcomes(lower(user_id));
CREATE INDEX IF NOT EXISTS run_outcomes_external ON run_outcomes(external_id);
CREATE INDEX runs_started ON runs(started_at);

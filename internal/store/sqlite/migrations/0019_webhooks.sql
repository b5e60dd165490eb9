-- Webhook subscriptions to the change feed and where each one's delivery
-- stands. kinds and connections are JSON arrays (empty: every one); the
-- signing secret is sealed like bind passwords.
CREATE TABLE webhooks (
    id                INTEGER PRIMARY KEY,
    name              TEXT NOT NULL UNIQUE,
    url               TEXT NOT NULL,
    kinds             TEXT NOT NULL DEFAULT '[]',
    connections       TEXT NOT NULL DEFAULT '[]',
    sealed_secret     TEXT NOT NULL,
    position          INTEGER NOT NULL DEFAULT 0,
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   TEXT NOT NULL DEFAULT '',
    last_attempt_at   TEXT NOT NULL DEFAULT '',
    last_status       INTEGER NOT NULL DEFAULT 0,
    last_error        TEXT NOT NULL DEFAULT '',
    last_delivered_at TEXT NOT NULL DEFAULT '',
    dead              INTEGER NOT NULL DEFAULT 0,
    created_at        TEXT NOT NULL
);

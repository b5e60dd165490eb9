-- Webhook subscriptions to the change feed and where each one's delivery
-- stands. kinds and connections empty select every one; the signing
-- secret is sealed like bind passwords.
CREATE TABLE webhooks (
    id                BIGSERIAL PRIMARY KEY,
    name              TEXT NOT NULL UNIQUE,
    url               TEXT NOT NULL,
    kinds             TEXT[] NOT NULL DEFAULT '{}',
    connections       TEXT[] NOT NULL DEFAULT '{}',
    sealed_secret     TEXT NOT NULL,
    position          BIGINT NOT NULL DEFAULT 0,
    attempts          INT NOT NULL DEFAULT 0,
    next_attempt_at   TIMESTAMPTZ,
    last_attempt_at   TIMESTAMPTZ,
    last_status       INT NOT NULL DEFAULT 0,
    last_error        TEXT NOT NULL DEFAULT '',
    last_delivered_at TIMESTAMPTZ,
    dead              BOOLEAN NOT NULL DEFAULT false,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);

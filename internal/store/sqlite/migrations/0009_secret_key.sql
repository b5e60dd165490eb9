-- The fingerprint of the secret key that seals the store's values (an HMAC
-- of a fixed label under the key, never the key): one row at most, so that
-- a store is never sealed with two keys.
CREATE TABLE secret_key (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);

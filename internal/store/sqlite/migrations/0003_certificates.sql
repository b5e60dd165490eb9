-- Certificates enrolled for relying-party connections and the
-- altSecurityIdentities values usersync wrote for them (written_dn is the
-- entry it wrote to, '' when usersync owns no value in the directory).
CREATE TABLE certificates (
    id          INTEGER PRIMARY KEY,
    connection  TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    form        TEXT NOT NULL,
    mapping     TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    subject     TEXT NOT NULL DEFAULT '',
    issuer      TEXT NOT NULL DEFAULT '',
    serial      TEXT NOT NULL DEFAULT '',
    not_after   TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL,
    written_dn  TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    revoked_at  TEXT
);
CREATE UNIQUE INDEX certificates_mapping ON certificates(connection, lower(user_id), mapping);

-- Published LDAP views and the service accounts that may read them. A view
-- is kept as a JSON document, like a connection.
CREATE TABLE ldap_views (
    name       TEXT PRIMARY KEY,
    document   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE ldap_accounts (
    view          TEXT NOT NULL REFERENCES ldap_views(name) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (view, name)
);
-- An LDAP search for (mail=x) reads users by their email field; without
-- this index every such search would scan the users table.
CREATE INDEX users_email ON users(lower(json_extract(fields, '$.email')));

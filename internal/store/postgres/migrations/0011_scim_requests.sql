-- The request log of SCIM connections: what a provisioning client sent and
-- what usersync answered, bodies redacted. Deleting a connection deletes
-- its log.
CREATE TABLE scim_requests (
    id          BIGSERIAL PRIMARY KEY,
    request_id  TEXT NOT NULL UNIQUE,
    connection  TEXT NOT NULL REFERENCES connections(name) ON DELETE CASCADE,
    at          TIMESTAMPTZ NOT NULL,
    method      TEXT NOT NULL,
    path        TEXT NOT NULL,
    status      INTEGER NOT NULL,
    duration_us BIGINT NOT NULL,
    resource_id TEXT NOT NULL DEFAULT '',
    user_name   TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX scim_requests_connection ON scim_requests(connection, id);
CREATE INDEX scim_requests_resource ON scim_requests(connection, resource_id);
CREATE INDEX scim_requests_user_name ON scim_requests(connection, lower(user_name));
CREATE INDEX scim_requests_at ON scim_requests(at);

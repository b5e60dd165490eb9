-- Every SCIM batch (and every live batch) counts the connection's active
-- directory users for the deletion guard; this index lets that count read
-- the index alone instead of every user row of the connection.
CREATE INDEX IF NOT EXISTS users_active_by_connection ON users(connection) WHERE source = 'directory' AND status = 'active';

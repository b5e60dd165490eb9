-- Administrators get a role (admin may change everything, operator may run,
-- decide on runs, pause and resume and look) and may be disabled instead of
-- deleted, so that the audit log keeps naming who they were. Every existing
-- administrator keeps the admin role: nobody loses what they could do.
ALTER TABLE admins ADD COLUMN role TEXT NOT NULL DEFAULT 'admin';
ALTER TABLE admins ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;

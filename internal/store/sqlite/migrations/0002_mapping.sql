-- Field mappings: when a user was deactivated, for leave policies
-- that delete after N days, and per-user warnings in the run report.
ALTER TABLE users ADD COLUMN deactivated_at TEXT;
UPDATE users SET deactivated_at = updated_at WHERE status = 'inactive';
ALTER TABLE run_outcomes ADD COLUMN warnings TEXT NOT NULL DEFAULT '';

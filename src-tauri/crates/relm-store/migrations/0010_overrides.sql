-- Overrides: a status change the policy blocked when its author made it names what blocked it
-- (`release.status_changed` events' `blocked`). The history keeps it per change; a release that
-- ever moved by override says so wherever it is listed.
ALTER TABLE release_status_history ADD COLUMN blocked TEXT NOT NULL DEFAULT '[]';
ALTER TABLE releases ADD COLUMN overridden INTEGER NOT NULL DEFAULT 0;

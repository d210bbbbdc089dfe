-- A member's team (empty: none), set by an admin; a policy may ask for an approver from another
-- team than the release owner's.
ALTER TABLE members ADD COLUMN team TEXT NOT NULL DEFAULT '';

-- Risk levels lowered by an approver below what a release's assessment gave: every override in
-- ledger order; the latest is the one that counts.
CREATE TABLE risk_overrides (
    event_id TEXT PRIMARY KEY,
    release_id TEXT NOT NULL REFERENCES releases (id),
    level TEXT NOT NULL,
    from_level TEXT NOT NULL,
    reason TEXT NOT NULL,
    by_key TEXT NOT NULL,
    at_hlc INTEGER NOT NULL
);
CREATE INDEX risk_overrides_by_release ON risk_overrides (release_id, at_hlc);

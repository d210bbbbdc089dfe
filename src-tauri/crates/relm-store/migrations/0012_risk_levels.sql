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

-- A link carries its risk's score, status and acceptance expiry, so the risks active on a
-- release or a service, counted by score, are read from this index alone (a release's
-- assessment asks for them every time).
ALTER TABLE risk_links ADD COLUMN score INTEGER NOT NULL DEFAULT 0;
ALTER TABLE risk_links ADD COLUMN status TEXT NOT NULL DEFAULT 'open';
ALTER TABLE risk_links ADD COLUMN accepted_until TEXT;
CREATE INDEX risk_links_by_score ON risk_links (kind, target, score, status, accepted_until, risk_id);

-- A risk's positions on the heat maps (the residual one falls back to the inherent values), so
-- the register's map is counted in SQL with the list's filters.
ALTER TABLE risks ADD COLUMN likelihood INTEGER NOT NULL DEFAULT 0;
ALTER TABLE risks ADD COLUMN impact INTEGER NOT NULL DEFAULT 0;
ALTER TABLE risks ADD COLUMN residual_likelihood INTEGER NOT NULL DEFAULT 0;
ALTER TABLE risks ADD COLUMN residual_impact INTEGER NOT NULL DEFAULT 0;

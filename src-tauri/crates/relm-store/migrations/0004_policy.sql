-- Release policy and gates: policy versions, signed approvals, deployments, rollback
-- rehearsals and emergency declarations, all projections of ledger events; and the release's
-- risk level (releases recorded before it existed are `medium`, as their events read).
ALTER TABLE releases ADD COLUMN risk TEXT NOT NULL DEFAULT 'medium';

CREATE TABLE policies (
    version  INTEGER PRIMARY KEY,
    event_id TEXT    NOT NULL,
    note     TEXT    NOT NULL,
    source   TEXT    NOT NULL,
    at_hlc   INTEGER NOT NULL,
    by_key   TEXT    NOT NULL
) STRICT;

CREATE TABLE approvals (
    event_id       TEXT PRIMARY KEY,
    release_id     TEXT    NOT NULL REFERENCES releases (id),
    environment    TEXT    NOT NULL,
    decision       TEXT    NOT NULL,
    release_digest TEXT    NOT NULL,
    policy_version INTEGER NOT NULL,
    expires_at     TEXT,
    comment        TEXT    NOT NULL,
    at_hlc         INTEGER NOT NULL,
    by_key         TEXT    NOT NULL
) STRICT;
CREATE INDEX approvals_by_release ON approvals (release_id, at_hlc);
CREATE INDEX approvals_by_author ON approvals (by_key, at_hlc);

CREATE TABLE deployments (
    event_id       TEXT PRIMARY KEY,
    release_id     TEXT    NOT NULL REFERENCES releases (id),
    environment    TEXT    NOT NULL,
    outcome        TEXT    NOT NULL,
    release_digest TEXT    NOT NULL,
    note           TEXT    NOT NULL,
    at_hlc         INTEGER NOT NULL,
    by_key         TEXT    NOT NULL
) STRICT;
CREATE INDEX deployments_by_release ON deployments (release_id, at_hlc);

CREATE TABLE rehearsals (
    event_id   TEXT PRIMARY KEY,
    release_id TEXT    NOT NULL REFERENCES releases (id),
    note       TEXT    NOT NULL,
    link       TEXT,
    at_hlc     INTEGER NOT NULL,
    by_key     TEXT    NOT NULL
) STRICT;
CREATE INDEX rehearsals_by_release ON rehearsals (release_id, at_hlc);

CREATE TABLE emergencies (
    event_id   TEXT PRIMARY KEY,
    release_id TEXT    NOT NULL REFERENCES releases (id),
    reason     TEXT    NOT NULL,
    incident   TEXT    NOT NULL,
    approver   TEXT    NOT NULL,
    at_hlc     INTEGER NOT NULL,
    by_key     TEXT    NOT NULL
) STRICT;
CREATE INDEX emergencies_by_release ON emergencies (release_id, at_hlc);

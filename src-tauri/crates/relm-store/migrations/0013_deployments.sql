-- Deployment records: when they ran, the tool, a link, the reference in the tool (one record
-- per reference), the service (for metrics by period), the outcome as recorded and as it
-- stands (a rollback turns it to `rolled_back`), and the deviations every replica computes
-- from the ledger when it applies the record.
ALTER TABLE deployments ADD COLUMN started_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deployments ADD COLUMN ended_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deployments ADD COLUMN recorded_outcome TEXT NOT NULL DEFAULT '';
ALTER TABLE deployments ADD COLUMN service TEXT NOT NULL DEFAULT '';
ALTER TABLE deployments ADD COLUMN tool TEXT NOT NULL DEFAULT '';
ALTER TABLE deployments ADD COLUMN link TEXT;
ALTER TABLE deployments ADD COLUMN external_ref TEXT;
ALTER TABLE deployments ADD COLUMN deviations TEXT NOT NULL DEFAULT '[]';
ALTER TABLE deployments ADD COLUMN deviation_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deployments ADD COLUMN rolled_back_by TEXT;
CREATE UNIQUE INDEX deployments_by_ref ON deployments (external_ref) WHERE external_ref IS NOT NULL;
CREATE INDEX deployments_by_end ON deployments (ended_ms, service, environment);
CREATE INDEX deployments_by_service ON deployments (service, environment, ended_ms);

-- Rehearsals say where they ran, how they went, and the digest of an evidence file.
ALTER TABLE rehearsals ADD COLUMN environment TEXT;
ALTER TABLE rehearsals ADD COLUMN result TEXT NOT NULL DEFAULT 'passed';
ALTER TABLE rehearsals ADD COLUMN evidence_digest TEXT;

-- A release's rollback plan as last written (earlier versions are in the ledger).
CREATE TABLE rollback_plans (
    release_id TEXT PRIMARY KEY REFERENCES releases (id),
    event_id   TEXT    NOT NULL,
    plan       TEXT    NOT NULL,
    at_hlc     INTEGER NOT NULL,
    by_key     TEXT    NOT NULL
) STRICT;

-- Rollbacks, each linked to the deployment it undid and the plan in force when recorded.
CREATE TABLE rollbacks (
    event_id   TEXT PRIMARY KEY,
    release_id TEXT    NOT NULL REFERENCES releases (id),
    environment TEXT   NOT NULL,
    to_version TEXT    NOT NULL,
    reason     TEXT    NOT NULL,
    deployment TEXT    NOT NULL,
    plan_event TEXT,
    at_hlc     INTEGER NOT NULL,
    by_key     TEXT    NOT NULL
) STRICT;
CREATE INDEX rollbacks_by_release ON rollbacks (release_id, at_hlc);

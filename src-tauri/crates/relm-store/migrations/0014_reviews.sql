-- Post-release reviews: what each says (its content and the digest sign-offs bind to), the
-- sign-offs, and the follow-up actions.
CREATE TABLE reviews (
    release_id  TEXT PRIMARY KEY REFERENCES releases (id),
    content     TEXT    NOT NULL,
    digest      TEXT    NOT NULL,
    opened_hlc  INTEGER NOT NULL,
    opened_by   TEXT    NOT NULL,
    updated_hlc INTEGER NOT NULL,
    revision    INTEGER NOT NULL,
    -- When the owner and an approver had both signed the digest: the review is done.
    signed_hlc  INTEGER
) STRICT;

CREATE TABLE review_signatures (
    event_id    TEXT PRIMARY KEY,
    release_id  TEXT    NOT NULL REFERENCES releases (id),
    digest      TEXT    NOT NULL,
    by_key      TEXT    NOT NULL,
    as_owner    INTEGER NOT NULL,
    as_approver INTEGER NOT NULL,
    at_hlc      INTEGER NOT NULL
) STRICT;
CREATE INDEX review_signatures_by_release ON review_signatures (release_id, at_hlc);

CREATE TABLE actions (
    id          TEXT PRIMARY KEY,
    release_id  TEXT    NOT NULL REFERENCES releases (id),
    service     TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    owner       TEXT    NOT NULL,
    due         TEXT    NOT NULL,
    created_hlc INTEGER NOT NULL,
    created_by  TEXT    NOT NULL,
    done_hlc    INTEGER,
    done_by     TEXT
) STRICT;
CREATE INDEX actions_open_by_due ON actions (done_hlc, due);
CREATE INDEX actions_by_service ON actions (service, due);
CREATE INDEX actions_by_release ON actions (release_id);

-- Releases whose review is mandatory are found from their emergencies and their failed,
-- rolled-back or deviating deployments: indexes of those alone, by service.
CREATE INDEX deployments_failed ON deployments (service, ended_ms)
    WHERE outcome IN ('failed', 'rolled_back');
CREATE INDEX deployments_deviating ON deployments (service, ended_ms)
    WHERE deviation_count > 0;

-- Lead time starts at a release's first deployment anywhere when that came before its record:
-- one seek in this index.
CREATE INDEX deployments_first ON deployments (release_id, started_ms);

-- Whether a deployment ran inside a freeze (one of its deviations), and the period's
-- deployments for the metrics read from one index alone.
ALTER TABLE deployments ADD COLUMN in_freeze INTEGER NOT NULL DEFAULT 0;
DROP INDEX deployments_by_end;
CREATE INDEX deployments_metrics ON deployments
    (ended_ms, service, environment, outcome, deviation_count, in_freeze, started_ms, release_id,
     event_id);

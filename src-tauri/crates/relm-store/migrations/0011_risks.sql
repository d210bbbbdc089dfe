-- The risk register. A risk's whole state (fields, mitigations, acceptance, closure) is kept as
-- one JSON document rebuilt from its events; the columns beside it are what lists filter and
-- sort on. `risk_links` ties a risk to the services and releases it threatens.
CREATE TABLE risks (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    status TEXT NOT NULL,
    score INTEGER NOT NULL,
    residual_score INTEGER NOT NULL,
    owner TEXT NOT NULL,
    review_by TEXT,
    accepted_until TEXT,
    mitigation_count INTEGER NOT NULL DEFAULT 0,
    doc TEXT NOT NULL,
    created_hlc INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    updated_hlc INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    revision INTEGER NOT NULL
);
CREATE INDEX risks_by_score ON risks (score DESC, id);
CREATE INDEX risks_by_status ON risks (status, score DESC);

CREATE TABLE risk_links (
    risk_id TEXT NOT NULL REFERENCES risks (id),
    kind TEXT NOT NULL CHECK (kind IN ('service', 'release')),
    target TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (risk_id, kind, target)
) WITHOUT ROWID;
CREATE INDEX risk_links_by_target ON risk_links (kind, target, risk_id);

-- A release's answers to the policy's risk questionnaire: the last answer to each question in
-- ledger order.
CREATE TABLE release_answers (
    release_id TEXT NOT NULL REFERENCES releases (id),
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    event_id TEXT NOT NULL,
    at_hlc INTEGER NOT NULL,
    PRIMARY KEY (release_id, question)
) WITHOUT ROWID;

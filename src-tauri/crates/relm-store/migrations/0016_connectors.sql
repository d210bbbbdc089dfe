-- Connections to deployment platforms: local to this replica (its own token, in the OS keyring,
-- never here), never part of the ledger, never synced. What they pull becomes signed events.
CREATE TABLE connectors (
    name          TEXT PRIMARY KEY,
    platform      TEXT    NOT NULL,
    api_url       TEXT    NOT NULL,
    -- OWNER/REPO (GitHub), a project id or path (GitLab), an application (Argo CD).
    target        TEXT    NOT NULL,
    -- Argo CD's project (for its sync windows); empty elsewhere.
    project       TEXT    NOT NULL DEFAULT '',
    -- The Relm service its deployments belong to.
    service       TEXT    NOT NULL,
    -- {"platform env": "relm env"}; an environment not named keeps its name.
    env_map       TEXT    NOT NULL DEFAULT '{}',
    added_ms      INTEGER NOT NULL,
    -- Where the next pull resumes (GitLab: last updated_at; GitHub: GraphQL cursor).
    cursor        TEXT,
    last_sync_ms  INTEGER,
    last_ok_ms    INTEGER,
    last_pulled   INTEGER NOT NULL DEFAULT 0,
    last_pushed   INTEGER NOT NULL DEFAULT 0,
    last_errors   TEXT    NOT NULL DEFAULT '[]'
) STRICT;

-- Deployments a platform reported that no release matched yet (its service has no release of
-- that version): matched again at every sync, so a release created later gets them.
CREATE TABLE connector_unmatched (
    connector     TEXT    NOT NULL REFERENCES connectors (name) ON DELETE CASCADE,
    remote_id     TEXT    NOT NULL,
    deployment    TEXT    NOT NULL,
    seen_ms       INTEGER NOT NULL,
    PRIMARY KEY (connector, remote_id)
) STRICT, WITHOUT ROWID;

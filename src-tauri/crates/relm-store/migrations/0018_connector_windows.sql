-- What Relm wrote to a platform to mirror its freezes and windows, local to this replica: a
-- GitLab freeze period (by its id) or an Argo CD sync window (by what it says). Only these are
-- changed or deleted when the calendar changes; the team's own stay as they are.
CREATE TABLE connector_windows (
    connector   TEXT    NOT NULL REFERENCES connectors (name) ON DELETE CASCADE,
    remote_id   TEXT    NOT NULL,
    content     TEXT    NOT NULL,
    written_ms  INTEGER NOT NULL,
    PRIMARY KEY (connector, remote_id)
) STRICT, WITHOUT ROWID;

-- What the platform showed at the last sync besides deployments (environments and their
-- protections, latest releases, freezes, an application's status), as JSON, for the page.
ALTER TABLE connectors ADD COLUMN seen TEXT NOT NULL DEFAULT '{}';

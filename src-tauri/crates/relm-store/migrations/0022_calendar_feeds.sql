-- Calendar subscription files this replica keeps current, local and never synced (their paths
-- are this machine's): one per audience, with the scope it is narrowed to (JSON list of
-- `env:NAME` / `service:NAME`), and when it was last written (a refresh compares with the file
-- itself, and rewrites only a file whose content changed).
CREATE TABLE calendar_feeds (
    name             TEXT PRIMARY KEY,
    path             TEXT    NOT NULL,
    scope            TEXT    NOT NULL,
    added_ms         INTEGER NOT NULL,
    last_written_ms  INTEGER,
    last_events      INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT
) STRICT;

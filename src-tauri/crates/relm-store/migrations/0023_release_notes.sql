-- A release's notes as its release manager wrote them (`release.notes_set`; setting them again
-- replaces them): what is published to the platforms' releases.
CREATE TABLE release_notes (
    release_id TEXT    PRIMARY KEY,
    lang       TEXT    NOT NULL,
    markdown   TEXT    NOT NULL,
    event_id   TEXT    NOT NULL,
    at_hlc     INTEGER NOT NULL,
    by_key     TEXT    NOT NULL
) STRICT, WITHOUT ROWID;

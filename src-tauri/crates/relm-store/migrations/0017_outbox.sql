-- Writes to deployment platforms waiting to be delivered, local to this replica: each with the
-- key that makes it once-only, its state (pending, sending, done, failed, dropped), and the
-- platform's id once delivered. A `sending` entry found after a crash is re-checked against
-- the platform before anything is sent again.
CREATE TABLE outbox (
    id          TEXT PRIMARY KEY,
    connector   TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    key         TEXT    NOT NULL UNIQUE,
    payload     TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_ms  INTEGER NOT NULL,
    updated_ms  INTEGER NOT NULL,
    remote_id   TEXT
) STRICT;
CREATE INDEX outbox_by_state ON outbox (connector, state, created_ms);
